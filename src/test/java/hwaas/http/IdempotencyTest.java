package hwaas.http;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Idempotency-Key as a client relies on it: for as long as the job's record, for the same body only, under races. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyTest {
  private static final String TOKEN = "idempotency-test-token-0123";

  private Printer printer;
  private Node node;
  private Api api;
  private RedisProbe probe;

  @BeforeAll
  void startNode() throws Exception {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    // A dedup window far shorter than the record's life: an API key must outlive it.
    NodeSettings settings = local.withQueue(new hwaas.queue.QueueSettings(local.queue().keyPrefix(), Duration.ofSeconds(1),
        Duration.ofHours(1), local.queue().submitTimeout(), 1_000, 1_000, Duration.ofDays(1)));
    printer = new Printer(new Capture(), () -> { });
    node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
    api = new Api(node.httpPort(), TOKEN);
    probe = new RedisProbe(settings);
    assertEquals(200, api.post("/api/queues/print/pause", null, null, TOKEN).status()); // jobs stay queued
  }

  @AfterAll
  void stopNode() {
    node.stop();
    probe.close();
    printer.close();
  }

  @Test
  @DisplayName("a retry after the dedup window, while the job still waits, finds the same job and enqueues nothing")
  void keyLivesAsLongAsTheRecord() throws Exception {
    String key = UUID.randomUUID().toString();
    Api.Reply first = submit(key, "once");
    assertEquals(202, first.status(), first.body());
    long length = probe.streamLength();
    Thread.sleep(1_500); // past --dedup-window
    Api.Reply again = submit(key, "once");
    assertEquals(202, again.status(), again.body());
    assertEquals(first.json().getString("id"), again.json().getString("id"));
    assertEquals(length, probe.streamLength(), "the retry enqueued the job a second time");
  }

  @Test
  @DisplayName("the same key with another body is refused with 422 and enqueues nothing")
  void sameKeyOtherBodyIsRefused() throws Exception {
    String key = UUID.randomUUID().toString();
    assertEquals(202, submit(key, "first").status());
    long length = probe.streamLength();
    Api.Reply other = submit(key, "second");
    assertEquals(422, other.status(), other.body());
    assertTrue(other.json().getString("detail").contains("another body"), other.body());
    assertEquals(length, probe.streamLength());
  }

  @Test
  @DisplayName("ten concurrent first requests with one key make one job")
  void concurrentFirstRequestsMakeOneJob() throws Exception {
    String key = UUID.randomUUID().toString();
    long length = probe.streamLength();
    List<CompletableFuture<Api.Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      replies.add(CompletableFuture.supplyAsync(() -> {
        try {
          return submit(key, "raced");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    Set<String> ids = new HashSet<>();
    for (CompletableFuture<Api.Reply> reply : replies) {
      assertEquals(202, reply.get().status(), reply.get().body());
      ids.add(reply.get().json().getString("id"));
    }
    assertEquals(1, ids.size(), "one job id: " + ids);
    assertEquals(length + 1, probe.streamLength(), "one stream entry");
  }

  private Api.Reply submit(String key, String message) throws Exception {
    return api.post("/api/jobs", "{\"type\":\"print\",\"payload\":{\"message\":\"" + message + "\"},\"client\":\"idem\"}",
        "application/json", TOKEN, "Idempotency-Key", key);
  }
}
