package hwaas.http;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --max-backlog: past it nothing is added, REST says 429 with Retry-After, clients wait; nothing is dropped. */
class BacklogTest {
  private static final String TOKEN = "backlog-test-token-01234567";

  @Test
  @DisplayName("a full backlog answers 429 with Retry-After and enqueues nothing; once workers catch up, jobs are taken again")
  void restIsRefusedThenTakenAgain() throws Exception {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    NodeSettings settings = local.withQueue(local.queue().withMaxBacklog(3));
    try (Printer printer = new Printer(new Capture(), () -> { }); RedisProbe probe = new RedisProbe(settings)) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Api api = new Api(node.httpPort(), TOKEN);
        // The pause is applied on this node before its 200: no job submitted after it runs, at once, no waiting.
        assertEquals(200, api.post("/api/queues/print/pause", null, null, TOKEN).status());
        for (int i = 0; i < 3; i++) {
          assertEquals(202, submit(api, "held " + i).status());
        }
        Api.Reply full = submit(api, "one too many");
        assertEquals(429, full.status(), full.body());
        assertEquals("1", full.raw().headers().firstValue("Retry-After").orElse(""));
        assertTrue(full.json().getString("detail").contains("--max-backlog 3"), full.body());
        assertEquals(3, probe.jobIdsInStream().size(), "the refused job was enqueued");

        assertEquals(200, api.post("/api/queues/print/resume", null, null, TOKEN).status());
        Poll.until(Duration.ofSeconds(10), "the backlog to drain and a job to be taken again",
            () -> submitQuietly(api, "after") == 202);
      } finally {
        node.stop();
      }
    }
  }

  @Test
  @DisplayName("clients facing a full backlog wait and resend: the stream holds exactly what was confirmed, none twice")
  void clientsWait() throws Exception {
    NodeSettings local = TestConfigs.local(0, 1, 200);
    NodeSettings settings = local.withQueue(local.queue().withMaxBacklog(50));
    try (Printer printer = new Printer(new Capture(), () -> { }); RedisProbe probe = new RedisProbe(settings)) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Poll.until(Duration.ofSeconds(10), "the clients to be held back", () -> node.counters().retried.sum() > 0);
        Thread.sleep(1_000);
        long submitted = node.counters().submitted.sum();
        assertTrue(submitted >= 50 && submitted < 50 + 1_000, "confirmed: " + submitted);
        var ids = probe.jobIdsInStream();
        assertEquals(submitted, ids.size(), "the stream holds what was confirmed");
        assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), "a job is in the stream twice");
        assertEquals(0, node.counters().unconfirmed.sum());
      } finally {
        node.stop();
      }
    }
  }

  private static Api.Reply submit(Api api, String message) throws Exception {
    return api.post("/api/jobs", "{\"type\":\"print\",\"payload\":{\"message\":\"" + message + "\"},\"client\":\"backlog\"}");
  }

  private static int submitQuietly(Api api, String message) {
    try {
      return submit(api, message).status();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
