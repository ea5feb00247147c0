package hwaas.http;

import hwaas.jobs.JobHandlers;
import hwaas.jobs.JobLimits;
import hwaas.jobs.PrintHandler;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/jobs/{id}/retry} and {@code DELETE /api/jobs/{id}} on a real node whose back-off is a minute (so a
 * retry that comes sooner is the action's) and whose visibility timeout is 2 s (so its reclaimers sweep every second).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobActionsTest {
  private static final String TOKEN = "actions-test-token-0123";
  /** Print jobs whose message starts with "once" fail their first attempt. */
  private final Map<String, Integer> runs = new ConcurrentHashMap<>();
  private Printer printer;
  private Node node;
  private Api api;

  @BeforeAll
  void start() {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    NodeSettings settings = local.withWorkers(local.workers().withRetries(5, Duration.ofSeconds(60)))
        .withLimits(new JobLimits(Duration.ofMillis(1500), Duration.ofSeconds(2), Duration.ofSeconds(60)));
    printer = new Printer(new Capture(), () -> { });
    PrintHandler print = new PrintHandler(printer);
    node = Node.start(settings, JobHandlers.standard(printer, settings.limits()).withPrint(job -> {
      int run = runs.merge(job.id(), 1, Integer::sum);
      if (job.payload().getString("message").startsWith("once") && run == 1) {
        return Future.failedFuture("first attempt of " + job.id() + " fails");
      }
      return print.run(job);
    }));
    api = new Api(node.httpPort(), TOKEN);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.stop();
      printer.close();
    }
  }

  @Test
  @DisplayName("retry now runs a job waiting out a minute's back-off within seconds, without counting an attempt; other statuses are a 409")
  void retryNow() throws Exception {
    String id = submit("print", "{\"message\":\"once " + System.nanoTime() + "\"}", "rita");
    waitForStatus(id, "failed", Duration.ofSeconds(10));
    Thread.sleep(1500); // two sweeps of the reclaimer: without the action it stays failed for a minute
    assertEquals("failed", job(id).getString("status"));
    long asked = System.nanoTime();
    Api.Reply retry = api.post("/api/jobs/" + id + "/retry", "");
    assertEquals(200, retry.status(), retry.body());
    assertEquals("failed", retry.json().getString("status"));
    waitForStatus(id, "completed", Duration.ofSeconds(10));
    long tookMillis = (System.nanoTime() - asked) / 1_000_000;
    assertTrue(tookMillis < 5_000, "ran " + tookMillis + " ms after retry now");
    JsonObject done = job(id);
    assertEquals(2, done.getLong("attempts"), done.encode());
    assertEquals(2, runs.get(id));
    assertTrue(done.getJsonArray("history").stream().anyMatch(h -> "retry".equals(((JsonObject) h).getString("status"))),
        "the history notes the retry: " + done.encode());

    Api.Reply again = api.post("/api/jobs/" + id + "/retry", "");
    assertEquals(409, again.status(), again.body());
    assertTrue(again.body().contains("is completed"), again.body());
    assertEquals(404, api.post("/api/jobs/api-00000000000000000000/retry", "").status());
  }

  @Test
  @DisplayName("delete: a completed job is gone from its record and every listing; a scheduled or queued one is canceled first and never runs; a running one is a 409")
  void delete() throws Exception {
    String client = "del-" + System.nanoTime();
    String completed = submit("sum", "{\"numbers\":[1,2]}", client);
    waitForStatus(completed, "completed", Duration.ofSeconds(10));
    Api.Reply deleted = api.delete("/api/jobs/" + completed);
    assertEquals(200, deleted.status(), deleted.body());
    assertEquals("completed", deleted.json().getString("was"));
    assertEquals(404, api.get("/api/jobs/" + completed).status());
    assertEquals(404, api.delete("/api/jobs/" + completed).status());

    String scheduled = submit("print", "{\"message\":\"later\"}", client, ",\"delay\":3600");
    deleted = api.delete("/api/jobs/" + scheduled);
    assertEquals(200, deleted.status(), deleted.body());
    assertEquals("scheduled", deleted.json().getString("was"));
    assertEquals(404, api.get("/api/jobs/" + scheduled).status());

    // A queued job: its entry waits in the stream while the queue is paused; once resumed, the worker skips it.
    assertEquals(200, api.post("/api/queues/print/pause", "").status());
    Thread.sleep(1200); // a lane in its blocking read takes what arrives during it (up to 500 ms), then sees the pause
    String queued = submit("print", "{\"message\":\"never\"}", client);
    try {
      deleted = api.delete("/api/jobs/" + queued);
      assertEquals(200, deleted.status(), deleted.body());
      assertEquals("queued", deleted.json().getString("was"));
    } finally {
      assertEquals(200, api.post("/api/queues/print/resume", "").status());
    }
    String after = submit("print", "{\"message\":\"after\"}", client);
    waitForStatus(after, "completed", Duration.ofSeconds(10));
    assertFalse(runs.containsKey(queued), "the deleted job ran");
    assertEquals(404, api.get("/api/jobs/" + queued).status());

    String sleeping = submit("sleep", "{\"seconds\":1.2,\"message\":\"zz\"}", client);
    waitForStatus(sleeping, "running", Duration.ofSeconds(10));
    Api.Reply refused = api.delete("/api/jobs/" + sleeping);
    assertEquals(409, refused.status(), refused.body());
    assertTrue(refused.body().contains("cancel it first"), refused.body());
    waitForStatus(sleeping, "completed", Duration.ofSeconds(10));

    for (String query : List.of("client=" + client, "client=" + client + "&state=canceled", "state=completed&type=sum", "q=" + queued)) {
      List<String> listed = api.get("/api/jobs?limit=100&" + query).json().getJsonArray("jobs").stream()
          .map(j -> ((JsonObject) j).getString("id")).toList();
      assertTrue(listed.stream().noneMatch(List.of(completed, scheduled, queued)::contains), query + " lists a deleted job: " + listed);
    }
    assertEquals(List.of(sleeping, after), api.get("/api/jobs?client=" + client).json().getJsonArray("jobs").stream()
        .map(j -> ((JsonObject) j).getString("id")).toList());
  }

  @Test
  @DisplayName("bulk delete of dead letters: by type walks the stream, all at once drops it, and both count first with dryRun")
  void bulkDeleteOfDeadLetters() throws Exception {
    NodeSettings settings = node.settings();
    String dead = settings.queue().keys().dead();
    Redis redis = Redis.createClient(node.vertx(), settings.redis().options());
    try {
      long now = System.currentTimeMillis();
      for (int i = 0; i < 2500; i++) {
        String type = i % 5 < 2 ? "sum" : "print";
        String job = new JsonObject().put("id", "bulk-" + i).put("type", type).put("sentAt", now)
            .put("payload", new JsonObject().put("message", "x")).encode();
        redis.send(Request.cmd(Command.XADD).arg(dead).arg("*").arg("job").arg(job).arg("error").arg("bulk test")
            .arg("attempts").arg(5).arg("entry").arg("0-1").arg("type").arg(type).arg("failedAt").arg(now))
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      assertEquals(2500L, api.post("/api/dead/delete?dryRun=true", "").json().getLong("matched"));
      assertEquals(1000L, api.post("/api/dead/delete?dryRun=true&type=sum", "").json().getLong("matched"));
      assertEquals(1000L, api.post("/api/dead/delete?type=sum", "").json().getLong("matched"));
      assertEquals(0L, api.post("/api/dead/delete?dryRun=true&type=sum", "").json().getLong("matched"));
      assertEquals(1500L, api.post("/api/dead/delete", "").json().getLong("matched"));
      assertEquals(0L, redis.send(Request.cmd(Command.XLEN).arg(dead)).toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS).toLong());
      assertEquals(0L, api.post("/api/dead/delete", "").json().getLong("matched"));
    } finally {
      redis.close();
    }
  }

  private JsonObject job(String id) throws Exception {
    return api.get("/api/jobs/" + id).json();
  }

  private String submit(String type, String payload, String client, String... extra) throws Exception {
    Api.Reply reply = api.post("/api/jobs", "{\"type\":\"" + type + "\",\"payload\":" + payload
        + (client == null ? "" : ",\"client\":\"" + client + "\"") + String.join("", extra) + "}");
    assertEquals(202, reply.status(), reply.body());
    return reply.json().getString("id");
  }

  private void waitForStatus(String id, String status, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    String last = null;
    while (!status.equals(last = job(id).getString("status"))) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + id + " to be " + status + "; it is " + last);
      }
      Thread.sleep(50);
    }
  }
}
