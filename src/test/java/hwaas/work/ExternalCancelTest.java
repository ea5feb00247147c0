package hwaas.work;

import hwaas.testing.Api;
import hwaas.testing.Poll;
import hwaas.testing.RedisProbe;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancel of jobs worked by external workers, against a real node (embedded Redis, its REST API): a job canceled while
 * it waits for its retry, and one canceled while a worker holds its lease. Two attempts, a backoff of 1 s and a lease
 * of 3 s, so that retries and dead letters come within seconds.
 */
class ExternalCancelTest {
  private static final String TOKEN = "external-cancel-token";
  private static final String TYPE = ReverseNode.TYPE;
  private static ReverseNode reverse;
  private static Api api;

  @BeforeAll
  static void startNode() throws Exception {
    reverse = ReverseNode.start(TOKEN, settings -> settings.withWorkers(settings.workers().withRetries(2, Duration.ofSeconds(1))));
    api = reverse.api;
  }

  @AfterAll
  static void stopNode() {
    ReverseNode.stop(reverse);
  }

  @Test
  @DisplayName("a job canceled while it waits for its retry never runs again and is never dead-lettered, even out of attempts")
  void canceledWhileRetrying() throws Exception {
    // With an attempt left: after the backoff it is not offered again.
    String retrying = submit("retrying then canceled");
    fail(fetchOne(retrying, 5), "first attempt failed");
    assertEquals("failed", job(retrying).getString("status"));
    assertCanceled(retrying, "failed");

    // Out of attempts: the next claim would dead-letter it; canceled, it must stay canceled and get no dead letter.
    String last = submit("last attempt then canceled");
    fail(fetchOne(last, 5), "first attempt failed");
    fail(fetchOne(last, 10), "second attempt failed");
    assertEquals("failed", job(last).getString("status"));
    assertCanceled(last, "failed");

    // Well past both back-offs, fetches (which claim what is due) offer neither job.
    long until = System.currentTimeMillis() + 5_000;
    while (System.currentTimeMillis() < until) {
      JsonArray jobs = api.post("/api/work/" + TYPE + "/fetch", "{\"max\":10,\"wait\":1}").json().getJsonArray("jobs");
      assertTrue(jobs.isEmpty(), "a canceled job was offered again: " + jobs.encode());
    }
    for (String id : new String[] {retrying, last}) {
      JsonObject record = job(id);
      assertEquals("canceled", record.getString("status"), record.encode());
      JsonArray dead = api.get("/api/dead?q=" + id).json().getJsonArray("jobs");
      assertTrue(dead.isEmpty(), "a canceled job was dead-lettered: " + dead.encode());
    }
    try (RedisProbe probe = new RedisProbe(reverse.node.settings())) {
      assertEquals(0, probe.streamLength(TYPE), "both entries are settled (acknowledged and deleted)");
      assertTrue(probe.deadLetters().isEmpty(), "no dead letters: " + probe.deadLetters());
    }
  }

  @Test
  @DisplayName("a job canceled while a worker holds its lease ends canceled; its complete, fail and extend answer 409 and change nothing")
  void canceledWhileLeased() throws Exception {
    String id = submit("leased then canceled");
    JsonObject leased = fetchOne(id, 5);
    String lease = leased.getString("lease");
    assertEquals("running", job(id).getString("status"));
    assertCanceled(id, "running");

    Api.Reply completed = api.post("/api/work/" + lease + "/complete", "{\"result\":{\"reversed\":\"too late\"}}");
    assertEquals(409, completed.status(), completed.body());
    assertTrue(completed.json().getString("detail").contains("canceled"), completed.body());
    assertEquals(409, api.post("/api/work/" + lease + "/fail", "{\"error\":\"too late\"}").status());
    assertEquals(409, api.post("/api/work/" + lease + "/extend", "{}").status());
    Api.Reply many = api.post("/api/work/complete", new JsonObject().put("jobs", new JsonArray()
        .add(new JsonObject().put("lease", lease).put("result", new JsonObject()))).encode());
    assertEquals(200, many.status(), many.body());
    assertEquals(0, many.json().getInteger("completed"), many.body());
    assertEquals(new JsonArray().add(lease), many.json().getJsonArray("canceled"), many.body());

    JsonObject record = job(id);
    assertEquals("canceled", record.getString("status"), record.encode());
    assertEquals(null, record.getValue("result"), "a canceled job keeps no result: " + record.encode());
    // The lease is released: the entry is settled at once, not left to expire and be offered again.
    try (RedisProbe probe = new RedisProbe(reverse.node.settings())) {
      Poll.until(Duration.ofSeconds(1), "the entry to be settled (acknowledged and deleted)", () -> entries(probe) == 0);
    }
    long until = System.currentTimeMillis() + 5_000; // past the lease and its grace
    while (System.currentTimeMillis() < until) {
      JsonArray jobs = api.post("/api/work/" + TYPE + "/fetch", "{\"max\":10,\"wait\":1}").json().getJsonArray("jobs");
      assertTrue(jobs.isEmpty(), "a canceled job was offered again: " + jobs.encode());
    }
    assertEquals("canceled", job(id).getString("status"));
    assertTrue(api.get("/api/dead?q=" + id).json().getJsonArray("jobs").isEmpty());
  }

  @Test
  @DisplayName("a complete that overtakes the word of its job's cancel answers 409: the record, which the cancel wrote, decides")
  void completeOvertakingItsCancel() throws Exception {
    String id = submit("canceled, then completed before the node hears of it");
    String lease = fetchOne(id, 5).getString("lease");
    try (RedisProbe probe = new RedisProbe(reverse.node.settings())) {
      long canceledBefore = probe.counter(TYPE, "canceled");
      assertEquals("running", probe.cancelUnheard(id));

      Api.Reply completed = api.post("/api/work/" + lease + "/complete", "{\"result\":{\"reversed\":\"too late\"}}");
      assertEquals(409, completed.status(), completed.body());
      assertTrue(completed.json().getString("detail").contains("canceled"), completed.body());
      assertEquals(409, api.post("/api/work/" + lease + "/fail", "{\"error\":\"too late\"}").status());

      JsonObject record = job(id);
      assertEquals("canceled", record.getString("status"), record.encode());
      assertEquals(null, record.getValue("result"), record.encode());
      assertEquals(0, entries(probe), "the entry is settled");
      assertEquals(canceledBefore + 1, probe.counter(TYPE, "canceled"), "counted canceled, once");
    }
  }

  @Test
  @DisplayName("a fail that overtakes the word of its job's cancel answers 409 and leaves the job canceled; it never runs again")
  void failOvertakingItsCancel() throws Exception {
    String id = submit("canceled, then failed before the node hears of it");
    String lease = fetchOne(id, 5).getString("lease");
    try (RedisProbe probe = new RedisProbe(reverse.node.settings())) {
      assertEquals("running", probe.cancelUnheard(id));

      Api.Reply failed = api.post("/api/work/" + lease + "/fail", "{\"error\":\"too late\"}");
      assertEquals(409, failed.status(), failed.body());
      assertTrue(failed.json().getString("detail").contains("canceled"), failed.body());
      JsonObject record = job(id);
      assertEquals("canceled", record.getString("status"), record.encode());
      assertEquals(null, record.getValue("error"), "a canceled job's record keeps no error: " + record.encode());
      // Its retry (after the 1 s backoff and the 3 s lease) finds it canceled and settles it without handing it out.
      Poll.until(Duration.ofSeconds(15), "the canceled job's entry to be settled without running again", () -> {
        JsonArray jobs = fetch();
        assertTrue(jobs.stream().noneMatch(j -> id.equals(((JsonObject) j).getString("id"))), "handed out again: " + jobs);
        return entries(probe) == 0;
      });
    }
  }

  @Test
  @DisplayName("an extend that overtakes the word of its job's cancel answers 409, writes no progress and settles the job canceled")
  void extendOvertakingItsCancel() throws Exception {
    String id = submit("canceled, then extended before the node hears of it");
    String lease = fetchOne(id, 5).getString("lease");
    try (RedisProbe probe = new RedisProbe(reverse.node.settings())) {
      assertEquals("running", probe.cancelUnheard(id));

      Api.Reply extended = api.post("/api/work/" + lease + "/extend",
          "{\"progress\":{\"fraction\":0.5,\"message\":\"half way\"}}");
      assertEquals(409, extended.status(), extended.body());
      assertTrue(extended.json().getString("detail").contains("canceled"), extended.body());
      JsonObject record = job(id);
      assertEquals("canceled", record.getString("status"), record.encode());
      assertEquals(null, record.getValue("progress"), "no progress written to a canceled job: " + record.encode());
      // The lease is released at once, not left to expire: its entry is settled and its complete refused.
      Poll.until(Duration.ofSeconds(1), "the entry to be settled (acknowledged and deleted)", () -> entries(probe) == 0);
      assertEquals(409, api.post("/api/work/" + lease + "/complete", "{\"result\":{}}").status());
    }
  }

  private static void assertCanceled(String id, String was) throws Exception {
    Api.Reply canceled = api.post("/api/jobs/" + id + "/cancel", null, null, TOKEN);
    assertEquals(200, canceled.status(), canceled.body());
    assertEquals(was, canceled.json().getString("was"), canceled.body());
    assertEquals("canceled", job(id).getString("status"));
  }

  private static void fail(JsonObject leased, String error) throws Exception {
    Api.Reply failed = api.post("/api/work/" + leased.getString("lease") + "/fail",
        new JsonObject().put("error", error).encode());
    assertEquals(200, failed.status(), failed.body());
  }

  private static String submit(String text) throws Exception {
    return reverse.submit(text, "ext-cancel");
  }

  private static JsonObject job(String id) {
    return reverse.job(id);
  }

  private static JsonObject fetchOne(String id, int seconds) throws Exception {
    return reverse.fetchOne(id, seconds);
  }

  private static JsonArray fetch() {
    try {
      return api.post("/api/work/" + TYPE + "/fetch", "{\"max\":10,\"wait\":0}").json().getJsonArray("jobs");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long entries(RedisProbe probe) {
    try {
      return probe.streamLength(TYPE);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
