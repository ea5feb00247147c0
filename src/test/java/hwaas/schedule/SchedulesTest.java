package hwaas.schedule;

import hwaas.jobs.JobHandlers;
import hwaas.queue.StreamEntry;
import hwaas.queue.StreamKeys;
import hwaas.redis.RedisSettings;
import hwaas.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.TestConfigs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recurring schedules on real nodes sharing one Redis: one job per tick, whatever the nodes do. */
class SchedulesTest {
  private static final String TOKEN = "schedules-test-token-123";

  @Test
  @DisplayName("three nodes share a schedule that fires every second: one job per tick, none twice, one node stopped mid-way")
  void oneJobPerTickAcrossNodes() throws Exception {
    NodeSettings settings = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    String client = "every-second-" + UUID.randomUUID().toString().substring(0, 8);
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        nodes.add(Node.start(settings, JobHandlers.standard(printer, settings.limits())));
      }
      Api api = new Api(nodes.get(0).httpPort(), TOKEN);
      try {
        Api.Reply created = api.post("/api/schedules", schedule("tick-tock", "* * * * * *", client));
        assertEquals(201, created.status(), created.body());
        assertNotNull(created.json().getString("nextTick"));
        Instant start = Instant.now();
        Thread.sleep(5_000);
        nodes.remove(2).stop();
        Thread.sleep(5_000);
        assertEquals(204, api.delete("/api/schedules/tick-tock").status());
        Instant end = Instant.now();
        Thread.sleep(1_500); // the last jobs run

        JsonArray jobs = api.get("/api/jobs?client=" + client + "&limit=100").json().getJsonArray("jobs");
        Set<String> ticks = new HashSet<>();
        for (Object o : jobs) {
          JsonObject job = (JsonObject) o;
          assertEquals("tick-tock", job.getString("schedule"));
          assertTrue(ticks.add(job.getString("tick")), "tick " + job.getString("tick") + " fired twice");
          assertEquals("completed", job.getString("status"), job.encode());
        }
        long seconds = Duration.between(start, end).toSeconds();
        assertTrue(Math.abs(ticks.size() - seconds) <= 1, ticks.size() + " jobs in " + seconds + " s: " + ticks);
      } finally {
        for (Node node : nodes) {
          node.stop();
        }
      }
    }
  }

  @Test
  @DisplayName("ticks missed while no scheduler ran: one job for the latest with --misfire once, none with skip")
  void misfirePolicies() throws Exception {
    for (Misfire misfire : Misfire.values()) {
      Vertx vertx = Vertx.vertx();
      StreamKeys keys = new StreamKeys("test-misfire-" + UUID.randomUUID().toString().substring(0, 8));
      RedisSettings redisSettings = RedisSettings.defaults().withUrl(TestRedis.url());
      Redis redis = Redis.createClient(vertx, redisSettings.options());
      try {
        ScheduleStore store = new ScheduleStore(redis, keys, Duration.ofHours(1));
        Schedule schedule = Schedule.fromJson(new JsonObject(schedule("missed", "*/2 * * * * *", "misfire")));
        store.put(schedule, Instant.now().minusSeconds(10)).await(); // as if the last node had stopped 10 s ago
        Instant started = Instant.now();
        vertx.deployVerticle(new SchedulerVerticle(redisSettings, keys, Duration.ofHours(1), misfire)).await();
        Thread.sleep(300); // less than a tick: whatever was fired for a tick up to the start is a catch-up

        List<Long> ticks = new ArrayList<>();
        for (Response entry : redis.send(Request.cmd(Command.XRANGE).arg(keys.stream("print")).arg("-").arg("+")).await()) {
          StreamEntry.jobs(entry.get(1)).forEach(job -> ticks.add(job.sentAt()));
        }
        long caughtUp = ticks.stream().filter(tick -> tick <= started.toEpochMilli()).count();
        assertEquals(misfire == Misfire.ONCE ? 1 : 0, caughtUp, misfire + ": jobs for missed ticks, of " + ticks);
      } finally {
        redis.close();
        vertx.close().await();
      }
    }
  }

  @Test
  @DisplayName("bad schedules are refused and change nothing; pause, resume, trigger and delete do what they say")
  void apiValidationAndControls() throws Exception {
    NodeSettings settings = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    String client = "controls-" + UUID.randomUUID().toString().substring(0, 8);
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Api api = new Api(node.httpPort(), TOKEN);
        List<String> bad = List.of(
            schedule("bad-cron", "every minute", client),
            schedule("bad-cron", "* * * *", client),
            schedule("bad-cron", "61 * * * * *", client),
            schedule("bad name!", "* * * * *", client),
            schedule("bad-job", "* * * * *", client).replace("\"message\":\"tick\"", "\"message\":42"),
            new JsonObject(schedule("bad-zone", "* * * * *", client)).put("timezone", "Mars/Olympus").encode(),
            withJobField(schedule("bad-job", "* * * * *", client), "priority", "high"),
            withJobField(schedule("bad-job", "* * * * *", client), "then", new io.vertx.core.json.JsonArray()
                .add(new JsonObject().put("type", "print").put("payload", new JsonObject().put("message", "x")))));
        for (String body : bad) {
          Api.Reply reply = api.post("/api/schedules", body);
          assertEquals(400, reply.status(), body + " -> " + reply.body());
        }
        assertEquals(0, api.get("/api/schedules").json().getJsonArray("schedules").size());

        assertEquals(201, api.post("/api/schedules", schedule("controlled", "0 0 1 1 *", client)).status());
        JsonObject paused = api.post("/api/schedules/controlled/pause", null, null, TOKEN).json();
        assertTrue(paused.getBoolean("paused"));
        assertNull(paused.getString("nextTick"));
        assertTrue(api.post("/api/schedules/controlled/resume", null, null, TOKEN).json().getString("nextTick").endsWith(":00Z"));
        Api.Reply triggered = api.post("/api/schedules/controlled/trigger", null, null, TOKEN);
        assertEquals(202, triggered.status(), triggered.body());
        JsonObject job = api.get("/api/jobs/" + triggered.json().getString("id") + "?wait=10").json();
        assertEquals("completed", job.getString("status"), job.encode());
        assertEquals("controlled", job.getString("schedule"));
        assertEquals(204, api.delete("/api/schedules/controlled").status());
        assertEquals(404, api.delete("/api/schedules/controlled").status());
        assertEquals(404, api.post("/api/schedules/controlled/trigger", null, null, TOKEN).status());
      } finally {
        node.stop();
      }
    }
  }

  @Test
  @DisplayName("paused, a schedule makes no jobs")
  void pausedMakesNothing() throws Exception {
    NodeSettings settings = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    String client = "paused-" + UUID.randomUUID().toString().substring(0, 8);
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Api api = new Api(node.httpPort(), TOKEN);
        assertEquals(201, api.post("/api/schedules", schedule("quiet", "* * * * * *", client)).status());
        Poll.until(Duration.ofSeconds(5), "a first job", () -> jobs(api, client) > 0);
        api.post("/api/schedules/quiet/pause", null, null, TOKEN);
        Thread.sleep(300);
        int before = api.get("/api/jobs?client=" + client + "&limit=100").json().getJsonArray("jobs").size();
        Thread.sleep(2_500);
        assertEquals(before, api.get("/api/jobs?client=" + client + "&limit=100").json().getJsonArray("jobs").size());
        api.delete("/api/schedules/quiet");
      } finally {
        node.stop();
      }
    }
  }

  private static int jobs(Api api, String client) {
    try {
      return api.get("/api/jobs?client=" + client + "&limit=100").json().getJsonArray("jobs").size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String schedule(String name, String cron, String client) {
    return new JsonObject().put("name", name).put("cron", cron).put("job", new JsonObject().put("type", "print")
        .put("payload", new JsonObject().put("message", "tick")).put("client", client)).encode();
  }

  private static String withJobField(String schedule, String field, Object value) {
    JsonObject json = new JsonObject(schedule);
    json.getJsonObject("job").put(field, value);
    return json.encode();
  }
}
