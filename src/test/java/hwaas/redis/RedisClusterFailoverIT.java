package hwaas.redis;

import hwaas.cli.AuditCommand;
import hwaas.queue.Partitions;
import hwaas.queue.StreamKeys;
import hwaas.support.AuditReport;
import hwaas.testing.NodeProcess;
import hwaas.testing.Poll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node process with {@code --redis-replicas 1} on a three-primary Redis Cluster where each primary has a replica (all
 * from the embedded binary). The primary of one partition is killed with SIGKILL mid-run: the cluster promotes its
 * replica, the node's writes of that partition follow it, the killed node comes back as a replica, and the audit finds
 * no confirmed job lost.
 */
class RedisClusterFailoverIT {
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir = Path.of("target", "redis-cluster-failover-it", run);

  @Test
  @DisplayName("--redis-replicas 1 on a Redis Cluster: a partition's primary killed mid-run, its replica takes over, "
      + "the node carries on, and no confirmed job is lost")
  void primaryKilled() throws Exception {
    StreamKeys partition = Partitions.spread("{hwaas}", 3).get(1);
    String counters = partition.counters("print");
    try (LocalRedisCluster redis = LocalRedisCluster.start(dir.resolve("redis"), 3, 1)) {
      try (NodeProcess node = NodeProcess.start(dir, "node", Map.of("HWAAS_REDIS", redis.url().toString()),
          "2", "10", "--rate", "200", "--http-port", "0", "--cluster-name", "redis-cluster-failover-" + run,
          "--redis-replicas", "1", "--audit", dir.resolve("node.audit").toString())) {
        node.awaitStarted();
        assertTrue(node.stderrText().contains("submissions confirmed once 1 replica(s) have them"), node.stderrText());
        Thread.sleep(3_000);
        int old = redis.primaryOf(counters);
        long before = processed(redis, old, counters);
        assertTrue(before > 0, "partition 1 ran nothing before the kill");

        long killedAt = System.nanoTime();
        redis.kill(old);
        int promoted = redis.awaitFailover(counters, old, 30_000);
        double failover = (System.nanoTime() - killedAt) / 1e9;
        // Its writes wait for a replica: the killed node comes back as one, as its supervisor would start it.
        redis.restart(old);
        Poll.until(Duration.ofSeconds(30), "partition 1 to run jobs on its new primary", () -> {
          try {
            return processed(redis, promoted, counters) > before;
          } catch (Exception e) {
            return false;
          }
        });
        double resumed = (System.nanoTime() - killedAt) / 1e9;
        Thread.sleep(2_000);
        assertEquals(0, node.stop(), node.stderrText());
        System.out.printf(Locale.ROOT, "RedisClusterFailoverIT: primary %d killed; replica %d promoted after %.1f s; "
            + "partition 1 ran jobs again %.1f s after the kill%n", old, promoted, failover, resumed);
      }
    }
    AuditReport report = AuditCommand.audit(List.of(dir.resolve("node.audit")));
    System.out.println("RedisClusterFailoverIT: " + report.line());
    assertTrue(report.submitted() > 2_000, report.line());
    assertEquals(0, report.lost(), report.line() + " lost: " + report.lostIds());
  }

  private static long processed(LocalRedisCluster redis, int port, String counters) throws Exception {
    Object value = redis.ask(port, "HGET", counters, "processed");
    return value == null ? 0 : Long.parseLong(value.toString());
  }
}
