package hwaas.redis;

import hwaas.cli.AuditCommand;
import hwaas.support.AuditReport;
import hwaas.testing.Api;
import hwaas.testing.NodeProcess;
import hwaas.testing.Poll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node process on a Redis behind three sentinels (a primary and a replica, all started from the embedded binary),
 * the primary killed with -9 mid-run: the node follows the failover by itself and, confirming submissions only once
 * a replica has them, loses none of them.
 */
class SentinelFailoverIT {
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir = Path.of("target", "sentinel", run);

  @Test
  @DisplayName("a node on the sentinels and one that learned them on --join; the primary killed with -9 at 5,000 jobs/s: "
      + "printing again within 10 s, the outage logged once, and with --redis-replicas 1 the audit finds lost = 0")
  void primaryKilledMidRun() throws Exception {
    Path out = dir.resolve("node.out");
    NodeProcess joiner = null;
    try (LocalSentinels redis = LocalSentinels.start(dir.resolve("redis"), 1, 2000);
         NodeProcess node = NodeProcess.start(dir, "node", Map.of("HWAAS_REDIS", redis.url().toString()),
             "2", "100", "--rate", "50", "--http-port", "0", "--redis-replicas", "1", "--cluster-name", "sentinel-" + run,
             "--audit", dir.resolve("node.audit").toString())) {
      node.awaitStarted();
      assertFalse(node.stderrText().contains(redis.url().toString()), "the Redis password was printed");
      assertTrue(node.stderrText().contains("redis-sentinel://:***@127.0.0.1:"), node.stderrText());
      Path passwordFile = dir.resolve("redis.password");
      Files.writeString(passwordFile, hwaas.support.HostPorts.userInfo(redis.url()).substring(1) + "\n");
      // The first node's own Hazelcast address: other tests' clusters may hold ports of the default range meanwhile.
      java.util.regex.Matcher at = java.util.regex.Pattern.compile("this one at (\\S+),").matcher(node.stderrText());
      assertTrue(at.find(), node.stderrText());
      joiner = NodeProcess.start(dir, "joiner", "1", "0", "--join", "--members", at.group(1), "--redis-password-file", passwordFile.toString(),
          "--redis-replicas", "1", "--http-port", "0", "--cluster-name", "sentinel-" + run, "--audit", dir.resolve("joiner.audit").toString());
      joiner.awaitStarted();
      String learned = hwaas.redis.RedisSettings.withoutPassword(redis.url()) + " (the cluster's, learned on --join)";
      assertTrue(joiner.stderrText().contains(learned), joiner.stderrText());
      Poll.until(Duration.ofSeconds(20), "the node to print 10,000 jobs", () -> size(out) > 10_000 * 14L);

      long killedAt = System.nanoTime();
      String killedClock = java.time.LocalTime.now().format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS"));
      int old = redis.killPrimary();
      Thread.sleep(1_000); // what was read before the kill is printed by now; nothing more can be read
      long stalled = size(out);
      redis.awaitFailover(old, 20_000);
      double failoverSeconds = seconds(killedAt);
      Poll.until(Duration.ofSeconds(20), "printing to resume", () -> size(out) > stalled + 100 * 14L);
      double printingSeconds = seconds(killedAt);
      // No replica is left to confirm submissions until one comes back: the old primary, restarted a little later
      // as its supervisor would, a replica of the new one.
      Thread.sleep(Math.max(0, 1_000 - (long) ((printingSeconds - failoverSeconds) * 1000)));
      redis.restart(old);
      long confirmedBefore = size(dir.resolve("node.audit.submitted"));
      Poll.until(Duration.ofSeconds(20), "submissions to be confirmed again (a replica has them)",
          () -> size(dir.resolve("node.audit.submitted")) > confirmedBefore + 10_000);
      double confirmingSeconds = seconds(killedAt);
      // The HTTP verticle's client followed too: a REST submission is accepted (on a replica) and runs.
      Api api = new Api(node.httpPort(), node.token());
      Api.Reply accepted = api.post("/api/jobs", "{\"type\":\"sum\",\"payload\":{\"numbers\":[2,3]},\"client\":\"failover\"}");
      assertEquals(202, accepted.status(), accepted.body());
      String id = accepted.json().getString("id");
      Poll.until(Duration.ofSeconds(20), "the REST job to complete", () -> {
        try {
          return "completed".equals(api.get("/api/jobs/" + id).json().getString("status"));
        } catch (Exception e) {
          return false;
        }
      });
      Thread.sleep(3_000);
      System.out.printf("SentinelFailoverIT: after the kill: failover %.1f s, printing again %.1f s, "
          + "submissions confirmed again %.1f s (old primary restarted as a replica at about failover + 1 s)%n",
          failoverSeconds, printingSeconds, confirmingSeconds);
      assertTrue(printingSeconds < 10, "printing again only " + printingSeconds + " s after the kill");

      assertEquals(0, joiner.stop(), joiner.stderrText());
      assertEquals(0, node.stop(), node.stderrText());
      // From the kill on (on a loaded machine a replica may be late for a WAIT before it: a blip of its own).
      String stderr = node.stderrText().lines().filter(l -> l.compareTo(killedClock) >= 0 && Character.isDigit(l.charAt(0)))
          .collect(java.util.stream.Collectors.joining("\n"));
      // Each log says an outage once at most. The queue's and clients' may say none: in one CI run (2026-11-27) every
      // write came through the failover without failing. The workers' blocking reads always see the kill.
      for (String outage : List.of("QueueVerticle - queue: ", "ClientGroup - clients: ", "WorkerVerticle - workers: ")) {
        long logged = count(stderr, outage, "failed (further failures are not logged");
        assertTrue(logged <= 1, "one outage, logged once at most:\n" + stderr);
      }
      assertEquals(1, count(stderr, "WorkerVerticle - workers: ", "failed (further failures are not logged"),
          "the workers' outage, logged once:\n" + stderr);
    } finally {
      if (joiner != null) {
        joiner.close();
      }
    }
    AuditReport report = AuditCommand.audit(List.of(dir.resolve("node.audit"), dir.resolve("joiner.audit")));
    System.out.println("SentinelFailoverIT: " + report.line());
    assertTrue(report.submitted() > 30_000, report.line());
    assertEquals(0, report.lost(), report.line() + " lost: " + report.lostIds());
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  private static long count(String text, String what, String saying) {
    return text.lines().filter(l -> l.contains(what) && l.contains(saying)).count();
  }
}
