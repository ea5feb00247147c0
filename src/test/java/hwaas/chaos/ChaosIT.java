package hwaas.chaos;

import hwaas.cli.AuditCommand;
import hwaas.node.NodeSettings;
import hwaas.redis.RedisSettings;
import hwaas.redis.EmbeddedRedis;
import hwaas.testing.NodeProcess;
import hwaas.testing.Poll;
import hwaas.testing.RedisProbe;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real processes, real crashes: nodes are separate JVMs on loopback, killed with SIGKILL or left without
 * Redis, and the --audit files decide from data whether any confirmed job was lost.
 */
class ChaosIT {
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir = Path.of("target", "chaos", run);

  @Test
  @DisplayName("kill -9 of one of two worker nodes mid-run: zero lost; the survivor prints what the dead node held")
  void workerNodeKilled() throws Exception {
    try (Redis redis = new Redis(EmbeddedRedis.start(dir.resolve("redis"), "always"))) {
      String[] common = common(redis.url(), "--visibility-timeout", "2", "--job-timeout", "1");
      try (NodeProcess victim = NodeProcess.start(dir, "victim", args(common, "2", "0", "--audit", audit("victim")));
           NodeProcess survivor = NodeProcess.start(dir, "survivor", args(common, "2", "0", "--audit", audit("survivor")));
           NodeProcess clients = NodeProcess.start(dir, "clients", args(common, "0", "20", "--rate", "25", "--audit", audit("clients")))) {
        victim.awaitStarted();
        survivor.awaitStarted();
        clients.awaitStarted();
        Thread.sleep(3_000);
        victim.kill9();
        Thread.sleep(2_000);
        assertEquals(0, clients.stop(), clients.stderrText());

        try (RedisProbe probe = new RedisProbe(config(redis.url()))) {
          Poll.until(Duration.ofSeconds(15), "the survivor to finish the stream", () -> drained(probe));
        }
        assertEquals(0, survivor.stop(), survivor.stderrText());
      }
      hwaas.support.AuditReport report = report("victim", "survivor", "clients");
      assertTrue(report.submitted() > 1_000, report.line());
      assertEquals(0, report.lost(), report.line() + " lost: " + report.lostIds());
      assertTrue(Files.readAllLines(dir.resolve("survivor.audit")).size() > 0);
    }
  }

  @Test
  @DisplayName("Redis stopped and started again on the same port and append-only file mid-run: zero lost")
  void redisRestarted() throws Exception {
    Path redisDir = dir.resolve("redis");
    Redis redis = new Redis(EmbeddedRedis.start(redisDir, "always"));
    URI url = redis.url();
    String[] common = common(url, "--visibility-timeout", "2", "--job-timeout", "1");
    try (NodeProcess node = NodeProcess.start(dir, "node", args(common, "2", "10", "--rate", "50", "--audit", audit("node")))) {
      node.awaitStarted();
      Thread.sleep(3_000);
      redis.close();
      Thread.sleep(2_000);
      redis = new Redis(EmbeddedRedis.start(redisDir, "always", url.getPort()));
      Thread.sleep(4_000);
      assertEquals(0, node.stop(), node.stderrText());
      assertTrue(node.summary("submitted") > 500, node.stderrText());
      assertTrue(node.stderrText().contains("recovered after"), "the outage was noticed and logged once: " + node.stderrText());
    }
    // Whatever the first node left unfinished, a fresh worker finishes: nothing confirmed may be missing.
    try (NodeProcess drain = NodeProcess.start(dir, "drain", args(common, "1", "0", "--duration", "5", "--audit", audit("drain")))) {
      assertEquals(0, drain.awaitExit(Duration.ofSeconds(60)), drain.stderrText());
    } finally {
      redis.close();
    }
    hwaas.support.AuditReport report = report("node", "drain");
    assertEquals(0, report.lost(), report.line() + " lost: " + report.lostIds());
  }

  @Test
  @DisplayName("a node restarted on the same data directory resumes the work left in its embedded Redis")
  void restartResumes() throws Exception {
    String dataDir = dir.resolve("data").toString();
    String[] common = {"--data-dir", dataDir, "--http-port", "0", "--cluster-name", "chaos-" + run};
    NodeProcess producer = NodeProcess.start(dir, "producer", args(common, "0", "20", "--rate", "20", "--duration", "3",
        "--audit", audit("producer")));
    assertEquals(0, producer.awaitExit(Duration.ofSeconds(60)), producer.stderrText());
    long left = producer.summary("pending");
    assertTrue(left > 500, "jobs left in the stream: " + left);

    NodeProcess consumer = NodeProcess.start(dir, "consumer", args(common, "2", "0", "--duration", "4", "--audit", audit("consumer")));
    assertEquals(0, consumer.awaitExit(Duration.ofSeconds(60)), consumer.stderrText());
    assertEquals(left, consumer.summary("printed"), consumer.stderrText());
    assertEquals(0, consumer.summary("pending"));
    hwaas.support.AuditReport report = report("producer", "consumer");
    assertEquals(0, report.lost(), report.line());
    assertEquals(left, consumer.stdoutLines().size());
  }

  private boolean drained(RedisProbe probe) {
    try {
      return probe.streamLength() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private hwaas.support.AuditReport report(String... nodes) {
    hwaas.support.AuditReport report = AuditCommand.audit(List.of(nodes).stream().map(n -> dir.resolve(n + ".audit")).toList());
    System.out.println(getClass().getSimpleName() + " " + String.join("+", nodes) + ": " + report.line());
    return report;
  }

  private String audit(String node) {
    return dir.resolve(node + ".audit").toString();
  }

  private String[] common(URI redis, String... more) {
    String[] base = {"--redis", redis.toString(), "--http-port", "0", "--cluster-name", "chaos-" + run};
    return args(base, more);
  }

  private static String[] args(String[] first, String... rest) {
    String[] all = new String[first.length + rest.length];
    System.arraycopy(rest, 0, all, 0, rest.length);
    System.arraycopy(first, 0, all, rest.length, first.length);
    return all;
  }

  private static NodeSettings config(URI redis) {
    return NodeSettings.defaults(0, 0).withRedis(RedisSettings.defaults().withUrl(redis));
  }

  /** A test-owned Redis, closed (SIGTERM, append-only file synced) at the end. */
  private record Redis(EmbeddedRedis server) implements AutoCloseable {
    URI url() {
      return server.url();
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
