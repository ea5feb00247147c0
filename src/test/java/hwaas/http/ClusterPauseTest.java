package hwaas.http;

import hwaas.node.NodeSettings;
import hwaas.node.Node;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.TestConfigs;
import hwaas.jobs.JobHandlers;
import hwaas.support.Printer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two clustered nodes sharing one Redis: a pause asked of one holds back the workers of both. */
class ClusterPauseTest {
  private static final String TOKEN = "cluster-pause-test-token";

  @Test
  @DisplayName("pausing a type on one node stops the workers of every node until it is resumed on another")
  void pauseHoldsJobsClusterWide() throws Exception {
    NodeSettings configA = TestConfigs.withToken(TestConfigs.local(2, 0, 1), TOKEN);
    NodeSettings configB = configA;
    Capture outA = new Capture();
    Capture outB = new Capture();
    try (Printer printerA = new Printer(outA, () -> { }); Printer printerB = new Printer(outB, () -> { })) {
      Node a = Node.start(configA, JobHandlers.standard(printerA, configA.limits()));
      Node b = Node.start(configB, JobHandlers.standard(printerB, configB.limits()));
      try {
        Api apiA = new Api(a.httpPort(), TOKEN);
        Api apiB = new Api(b.httpPort(), TOKEN);
        assertEquals(200, apiA.post("/api/queues/print/pause", null, null, TOKEN).status());
        Thread.sleep(200); // the event-bus notice reaches the other node within milliseconds

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          Api.Reply reply = (i % 2 == 0 ? apiA : apiB).post("/api/jobs",
              "{\"type\":\"print\",\"payload\":{\"message\":\"held " + i + "\"},\"client\":\"pause\"}");
          assertEquals(202, reply.status(), reply.body());
          ids.add(reply.json().getString("id"));
        }
        Thread.sleep(1_500);
        for (String id : ids) {
          assertEquals("queued", apiB.get("/api/jobs/" + id).json().getString("status"), "ran while paused: " + id);
        }
        assertTrue(outA.lines().isEmpty() && outB.lines().isEmpty(), "printed while paused");
        JsonObject printQueue = (JsonObject) apiB.get("/api/queues").json().getJsonArray("queues").getValue(0);
        assertTrue(printQueue.getBoolean("paused"));
        assertEquals(6, printQueue.getLong("pending") + printQueue.getLong("inFlight"));

        assertEquals(200, apiB.post("/api/queues/print/resume", null, null, TOKEN).status());

        Poll.until(Duration.ofSeconds(15), "all held jobs to complete after the resume", () -> ids.stream().allMatch(id -> {
          try {
            return "completed".equals(apiA.get("/api/jobs/" + id).json().getString("status"));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
        assertEquals(6, outA.lines().size() + outB.lines().size());
      } finally {
        b.stop();
        a.stop();
      }
    }
  }
}
