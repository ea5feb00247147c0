package hwaas.http;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.TestConfigs;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A running job's progress, as its handler reports it: in its record and in its event stream. */
class ProgressTest {
  private static final String TOKEN = "progress-test-token";

  @Test
  @DisplayName("a sleep 3 job's progress, read three times as it runs, rises; the event stream carries progress events")
  void sleepReportsProgress() throws Exception {
    NodeSettings config = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(config, JobHandlers.standard(printer, config.limits()));
      try {
        Api api = new Api(node.httpPort(), TOKEN);
        Api.Reply submitted = api.post("/api/jobs", "{\"type\":\"sleep\",\"payload\":{\"seconds\":3,\"message\":\"slept\"},\"client\":\"progress\"}");
        assertEquals(202, submitted.status(), submitted.body());
        String id = submitted.json().getString("id");
        List<String> events = new ArrayList<>();
        Thread reader = streamEvents(node.httpPort(), id, events);

        List<Double> fractions = new ArrayList<>();
        Poll.until(Duration.ofSeconds(10), "the job to run", () -> "running".equals(job(api, id).getString("status")));
        for (int i = 0; i < 3; i++) {
          Thread.sleep(700);
          JsonObject progress = job(api, id).getJsonObject("progress");
          assertTrue(progress != null, "no progress in " + job(api, id));
          fractions.add(progress.getDouble("fraction"));
          assertTrue(progress.getString("message").startsWith("slept "), progress.encode());
        }
        assertTrue(fractions.get(0) < fractions.get(1) && fractions.get(1) < fractions.get(2), "progress " + fractions);
        assertTrue(fractions.get(2) < 1, "progress " + fractions);

        JsonObject done = api.get("/api/jobs/" + id + "?wait=10").json();
        assertEquals("completed", done.getString("status"), done.encode());
        reader.join(5_000);
        synchronized (events) {
          long progressEvents = events.stream().filter(e -> e.equals("event: progress")).count();
          assertTrue(progressEvents >= 5, "progress events: " + events);
          assertTrue(events.contains("event: status"), events.toString());
        }
      } finally {
        node.stop();
      }
    }
  }

  private static JsonObject job(Api api, String id) {
    try {
      return api.get("/api/jobs/" + id).json();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the job's event stream on a thread of its own until it ends, keeping the event lines. */
  private static Thread streamEvents(int port, String id, List<String> events) {
    Thread reader = new Thread(() -> {
      try {
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs/" + id + "/events"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
          for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("event: ")) {
              synchronized (events) {
                events.add(line);
              }
            }
          }
        }
      } catch (Exception e) {
        synchronized (events) {
          events.add("failed: " + e);
        }
      }
    }, "progress-events");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }
}
