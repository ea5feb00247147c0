package hwaas.node;

import hwaas.cli.AuditCommand;
import hwaas.jobs.JobHandlers;
import hwaas.redis.RedisSettings;
import hwaas.support.AuditSettings;
import hwaas.support.Printer;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.TestConfigs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node watches its embedded Redis: killed, it is started again on the same data, and nothing confirmed is lost. */
class RedisWatchTest {

  @Test
  @DisplayName("the embedded Redis killed with -9 is started again on its data and port; printing goes on; lost = 0")
  void restartedAfterKill() throws Exception {
    Path dir = Path.of("target", "redis-watch", UUID.randomUUID().toString());
    NodeSettings local = TestConfigs.local(1, 5, 20);
    NodeSettings settings = local.withRedis(new RedisSettings(null, dir.resolve("data"), "always", null,
            RedisSettings.DEFAULT_MAX_MEMORY, false, null))
        .withAudit(new AuditSettings(dir.resolve("node.audit")));
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Poll.until(Duration.ofSeconds(10), "some printed jobs", () -> node.counters().printed.sum() > 50);
        long pid = node.embeddedRedis().orElseThrow().pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Poll.until(Duration.ofSeconds(15), "a new Redis process", () -> node.embeddedRedis().orElseThrow().pid() != pid);
        long printed = node.counters().printed.sum();
        Poll.until(Duration.ofSeconds(20), "printing to go on", () -> node.counters().printed.sum() > printed + 100);
        // A read whose reply the kill cut off leaves its entries pending on this node's consumer, unknown to the
        // worker: its reclaimer takes them back once they are idle past the visibility timeout. The audit must see
        // them printed, so the node runs that long before it stops (lost=1 once without this wait).
        Thread.sleep(settings.limits().visibilityTimeout().toMillis() + 2_000);
        assertNotEquals(pid, node.embeddedRedis().orElseThrow().pid());
        assertTrue(node.lost().toCompletableFuture().getNow(null) == null, "the node gave up");
      } finally {
        node.stop();
      }
    }
    hwaas.support.AuditReport report = AuditCommand.audit(List.of(dir.resolve("node.audit")));
    System.out.println("RedisWatchTest: " + report.line());
    assertTrue(report.submitted() > 100, report.line());
    assertEquals(0, report.lost(), report.line() + " lost: " + report.lostIds());
  }
}
