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

  @Test
  @DisplayName("a failover asked of the sentinels (the old primary left running): the node stops reading the old "
      + "primary within 4 s, long before the sentinels turn it, the API acts on the new one, and the audit finds lost = 0")
  void switchover() throws Exception {
    Path out = dir.resolve("node.out");
    try (LocalSentinels redis = LocalSentinels.start(dir.resolve("redis"), 2, 2000);
         NodeProcess node = NodeProcess.start(dir, "node", Map.of("HWAAS_REDIS", redis.url().toString()),
             "2", "20", "--rate", "50", "--http-port", "0", "--redis-replicas", "1", "--cluster-name", "switch-" + run,
             "--audit", dir.resolve("node.audit").toString())) {
      node.awaitStarted();
      Api api = new Api(node.httpPort(), node.token());
      Poll.until(Duration.ofSeconds(20), "the node to print 2,000 jobs", () -> size(out) > 2_000 * 14L);
      untilReply(Duration.ofSeconds(15), "a keyed REST submission to be accepted", () -> keyedSubmission(api, node.token(), "before"), 202);

      long askedAt = System.nanoTime();
      int old = redis.switchover();
      redis.awaitFailover(old, 20_000);
      // The sentinels turn the old primary into a replica (and close its clients) only seconds after the failover
      // ends (11 s after the request on 2026-11-27). Until then a node that still reads it runs nothing new: its
      // workers must leave it before that, for a whole second of no reads while it is still a primary.
      double leftSeconds = untilNoReads(redis, old, askedAt);
      long printed = size(out);
      Poll.until(Duration.ofSeconds(15), "printing to go on", () -> size(out) > printed + 2_000 * 14L);
      double printingSeconds = seconds(askedAt);
      Api.Reply keyed = untilReply(Duration.ofSeconds(30), "a keyed REST submission to be accepted",
          () -> keyedSubmission(api, node.token(), "after"), 202);
      double acceptedSeconds = seconds(askedAt);
      String id = keyed.json().getString("id");
      untilReply(Duration.ofSeconds(20), "the REST job to complete", () -> {
        Api.Reply read = api.get("/api/jobs/" + id);
        return "completed".equals(read.json().getString("status")) ? read : null;
      }, 200);
      // Submissions are refused (503, "retry") until a replica of the new primary has copied it; a client resends.
      Api.Reply delayed = untilReply(Duration.ofSeconds(30), "a delayed job to be accepted", () -> api.post("/api/jobs",
          "{\"type\":\"sum\",\"payload\":{\"numbers\":[1]},\"client\":\"switch\",\"delay\":600}",
          "application/json", node.token(), "Idempotency-Key", "switch-delayed"), 202);
      Api.Reply canceled = untilReply(Duration.ofSeconds(15), "a cancel to be done",
          () -> api.post("/api/jobs/" + delayed.json().getString("id") + "/cancel", "{}"), 200);
      assertEquals("canceled", api.get("/api/jobs/" + delayed.json().getString("id")).json().getString("status"), canceled.body());
      System.out.printf("SentinelFailoverIT: switchover asked; the old primary read for the last time %.1f s later, "
          + "printing again %.1f s later, a keyed submission accepted %.1f s later%n", leftSeconds, printingSeconds,
          acceptedSeconds);
      assertEquals(0, node.stop(), node.stderrText());
    }
    AuditReport report = AuditCommand.audit(List.of(dir.resolve("node.audit")));
    System.out.println("SentinelFailoverIT: " + report.line());
    assertTrue(report.submitted() > 4_000, report.line());
    assertEquals(0, report.lost(), report.line() + " lost: " + report.lostIds());
  }

  /**
   * Samples the old primary's reads (XREADGROUP calls) every 250 ms until none came for a second while it still says it
   * is a primary; fails if the sentinels turn it into a replica first (the node never left it by itself). Returns the
   * seconds from {@code since} to the last read.
   */
  private static double untilNoReads(LocalSentinels redis, int old, long since) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long last = redis.calls(old, "xreadgroup");
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(250);
      long now = redis.calls(old, "xreadgroup");
      assertEquals("master", redis.role(old), "the sentinels turned the old primary into a replica while the node "
          + "still read it: it never left by itself");
      if (now != last) {
        last = now;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange >= 1_000_000_000L) {
        return (lastChange - since) / 1e9;
      }
    }
    throw new AssertionError("the old primary was still read 30 s after the switchover was asked");
  }

  private static Api.Reply keyedSubmission(Api api, String token, String key) throws Exception {
    return api.post("/api/jobs", "{\"type\":\"sum\",\"payload\":{\"numbers\":[2,3]},\"client\":\"switch\"}",
        "application/json", token, "Idempotency-Key", "switch-" + key);
  }

  /** Asks until the reply has {@code status} (a null reply: not yet), at most {@code timeout}; the last reply fails it. */
  private static Api.Reply untilReply(Duration timeout, String what, java.util.concurrent.Callable<Api.Reply> ask, int status)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Api.Reply last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = ask.call();
      } catch (java.io.IOException e) {
        last = null; // the node is between connections: ask again
      }
      if (last != null && last.status() == status) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; last reply: "
        + (last == null ? "none" : last.status() + " " + last.body()));
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
