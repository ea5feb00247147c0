package hwaas.node;

import hwaas.jobs.JobHandlers;
import hwaas.redis.RedisSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.RawRedis;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Redis at its memory limit refuses writes for a while: the node waits it out and goes on, it does not wedge. */
class RedisFullTest {

  @Test
  @DisplayName("Redis full for three seconds (writes refused): printing resumes once it has room again")
  void printingResumesAfterAFullRedis() throws Exception {
    // Clients far faster than the one worker: there is always a backlog being read and settled when Redis fills up.
    NodeSettings settings = ownRedis(TestConfigs.local(1, 5, 2_000), RedisSettings.DEFAULT_MAX_MEMORY);
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Poll.until(Duration.ofSeconds(10), "some printed jobs", () -> node.counters().printed.sum() > 5_000);
        assertEquals("+OK", redis(node, "CONFIG SET maxmemory 1"));
        Thread.sleep(3_000); // writes refused (OOM): settling, enqueueing and reconnecting all fail meanwhile
        assertEquals("+OK", redis(node, "CONFIG SET maxmemory 1gb"));
        long printed = node.counters().printed.sum();
        Poll.until(Duration.ofSeconds(15), "printing to resume", () -> node.counters().printed.sum() > printed + 5_000);
      } finally {
        node.stop();
      }
    }
  }

  @Test
  @DisplayName("REST submissions fill Redis to its limit: new jobs get 503 with Retry-After, and every job taken still finishes")
  void jobsTakenFinishWhileRedisIsFull() throws Exception {
    NodeSettings settings = ownRedis(TestConfigs.withToken(TestConfigs.local(2, 0, 1), "redis-full-token"), "12mb");
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      batch.add(new JsonObject().put("type", "print").put("payload", new JsonObject().put("message", "full " + i))
          .put("client", "filler"));
    }
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Api api = new Api(node.httpPort(), "redis-full-token");
        long accepted = 0;
        Api.Reply refused = null;
        for (int i = 0; i < 200 && refused == null; i++) { // a record is about 0.5 KB: 12 MB hold far fewer than 200,000
          Api.Reply reply = api.post("/api/jobs/batch", batch.encode());
          if (reply.status() == 202) {
            accepted += reply.json().getJsonArray("ids").size();
          } else {
            refused = reply;
          }
        }
        assertTrue(refused != null, "Redis never filled up: " + accepted + " jobs taken");
        assertEquals(503, refused.status(), refused.body());
        assertTrue(refused.json().getString("detail").contains("memory limit"), refused.body());
        assertEquals("5", refused.raw().headers().firstValue("Retry-After").orElse(null), refused.body());
        assertEquals(":1", redis(node, "EVAL \"if string.find(redis.call('INFO', 'errorstats'), 'errorstat_OOM') "
            + "then return 1 end return 0\" 0"),
            "Redis refused the new jobs itself (at its limit, not before)");

        // Redis stays full (records live for --record-ttl), and still every job it took runs to the end.
        long taken = accepted;
        Poll.until(Duration.ofSeconds(30), "all " + taken + " jobs taken to be printed", () -> node.counters().printed.sum() >= taken);
        JsonObject print = api.get("/api/queues").json().getJsonArray("queues").stream().map(JsonObject.class::cast)
            .filter(q -> "print".equals(q.getString("type"))).findFirst().orElseThrow();
        assertEquals(0, print.getLong("pending"), print.encode());
        assertEquals(taken, print.getLong("processed"), print.encode());
        JsonArray left = api.get("/api/jobs?state=queued&limit=10").json().getJsonArray("jobs");
        assertTrue(left.isEmpty(), "jobs left queued: " + left.encode());
        assertTrue(api.get("/api/jobs?state=running&limit=10").json().getJsonArray("jobs").isEmpty());
        // Still full: the finished jobs' records keep their memory, so at most a batch or two fit in what the
        // drained stream gave back (Redis refuses a write only once it is over its limit, and it hovers just below).
        int moreTaken = 0;
        Api.Reply again = api.post("/api/jobs/batch", batch.encode());
        while (again.status() == 202 && moreTaken < 2) {
          moreTaken++;
          again = api.post("/api/jobs/batch", batch.encode());
        }
        assertEquals(503, again.status(), "and it is still full, after " + moreTaken + " more batches: " + again.body());
      } finally {
        node.stop();
      }
    }
  }

  @Test
  @DisplayName("an unreadable entry read while Redis is full still goes to the dead letters, and leaves the stream")
  void unreadableEntryIsDeadLetteredWhileRedisIsFull() throws Exception {
    NodeSettings settings = ownRedis(TestConfigs.withToken(TestConfigs.local(1, 0, 1), "redis-full-token"),
        RedisSettings.DEFAULT_MAX_MEMORY);
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try (RedisProbe probe = new RedisProbe(node.settings())) {
        Api api = new Api(node.httpPort(), "redis-full-token");
        assertEquals(200, api.post("/api/queues/print/pause", null, null, "redis-full-token").status());
        String stream = node.settings().queue().keys().stream("print");
        assertTrue(redis(node, "XADD " + stream + " * jobs not-json").startsWith("$"), "the entry was not added");
        assertEquals("+OK", redis(node, "CONFIG SET maxmemory 1"));
        try {
          assertTrue(redis(node, "XADD " + stream + " * jobs more").startsWith("-OOM"), "Redis is not full");
          assertEquals(200, api.post("/api/queues/print/resume", null, null, "redis-full-token").status());
          Poll.until(Duration.ofSeconds(10), "the unreadable entry to be dead-lettered", () -> {
            try {
              return probe.streamLength() == 0 && !probe.deadLetters().isEmpty();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          assertTrue(probe.deadLetters().get(0).getString("error").startsWith("unreadable entry"));
        } finally {
          assertEquals("+OK", redis(node, "CONFIG SET maxmemory 1gb"));
        }
      } finally {
        node.stop();
      }
    }
  }

  /** The node's settings with a Redis of its own (a fresh data directory) and that memory limit. */
  private static NodeSettings ownRedis(NodeSettings local, String maxMemory) {
    Path dir = Path.of("target", "redis-full", UUID.randomUUID().toString());
    return local.withRedis(new RedisSettings(null, dir.resolve("data"), "everysec", null, maxMemory, false, null));
  }

  /** AUTH, then one command on the same connection to the node's Redis: the first line of its reply. */
  private static String redis(Node node, String command) throws Exception {
    String auth = "AUTH " + node.settings().redis().url().getUserInfo().substring(1);
    return RawRedis.say(node.settings().redis().url().getPort(), java.util.List.of(auth, command)).get(1);
  }
}
