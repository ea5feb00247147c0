package hwaas.queue;

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

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Priorities on a real node: with a backlog, high runs before low, and low still progresses (the 8:4:1 round). */
class PrioritiesTest {
  private static final String TOKEN = "priorities-test-token";

  @Test
  @DisplayName("a backlog of low jobs, then high ones: the high ones finish first, and low still runs while high waits")
  void highBeforeLowAndLowProgresses() throws Exception {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    // One worker reading one entry at a time: each read is one turn of the round, so the rule shows job by job.
    NodeSettings settings = local.withWorkers(local.workers().withBatchSize(1));
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Api api = new Api(node.httpPort(), TOKEN);
        assertEquals(200, api.post("/api/queues/sum/pause", null, null, TOKEN).status());
        Thread.sleep(300); // the pause reaches the worker's lane
        // One request at a time: each job is a stream entry of its own.
        List<String> low = submit(api, 300, "low");
        List<String> high = submit(api, 120, "high");
        JsonObject queues = sumQueue(api);
        assertEquals(300, queues.getJsonObject("pendingByPriority").getInteger("low"), queues.encode());
        assertEquals(120, queues.getJsonObject("pendingByPriority").getInteger("high"), queues.encode());
        assertEquals(200, api.post("/api/queues/sum/resume", null, null, TOKEN).status());
        Poll.until(Duration.ofSeconds(30), "every job to run", () -> sumQueue(api).getInteger("pending") == 0
            && sumQueue(api).getInteger("inFlight") == 0);

        Instant lastHigh = high.stream().map(id -> finishedAt(api, id)).max(Instant::compareTo).orElseThrow();
        long lowBefore = low.stream().map(id -> finishedAt(api, id)).filter(t -> t.isBefore(lastHigh)).count();
        // While high waits, one read in 13 starts with low: about 120 / 12 = 10 low jobs run among the high ones.
        assertTrue(lowBefore >= 3, "low made no progress while high waited: " + lowBefore);
        assertTrue(lowBefore <= 20, lowBefore + " low jobs ran before the last high one: high did not come first");
        assertEquals("low", api.get("/api/jobs/" + low.get(0)).json().getString("priority"));
      } finally {
        node.stop();
      }
    }
  }

  @Test
  @DisplayName("a priority other than high, normal or low is refused")
  void badPriority() throws Exception {
    NodeSettings settings = TestConfigs.withToken(TestConfigs.local(0, 0, 1), TOKEN);
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Api.Reply reply = new Api(node.httpPort(), TOKEN).post("/api/jobs",
            "{\"type\":\"sum\",\"payload\":{\"numbers\":[1]},\"client\":\"p\",\"priority\":\"urgent\"}");
        assertEquals(400, reply.status(), reply.body());
        assertTrue(reply.body().contains("priority"), reply.body());
      } finally {
        node.stop();
      }
    }
  }

  private static List<String> submit(Api api, int count, String priority) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Api.Reply reply = api.post("/api/jobs", "{\"type\":\"sum\",\"payload\":{\"numbers\":[" + i + "]},\"client\":\"p-"
          + priority + "\",\"priority\":\"" + priority + "\"}");
      assertEquals(202, reply.status(), reply.body());
      ids.add(reply.json().getString("id"));
    }
    return ids;
  }

  private static JsonObject sumQueue(Api api) {
    try {
      return api.get("/api/queues").json().getJsonArray("queues").stream().map(JsonObject.class::cast)
          .filter(q -> "sum".equals(q.getString("type"))).findFirst().orElseThrow();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Instant finishedAt(Api api, String id) {
    try {
      JsonObject record = api.get("/api/jobs/" + id).json();
      assertEquals("completed", record.getString("status"), record.encode());
      return Instant.parse(record.getString("finishedAt"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
