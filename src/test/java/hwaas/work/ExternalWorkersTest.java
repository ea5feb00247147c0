package hwaas.work;

import hwaas.testing.Api;
import hwaas.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * External workers over HTTP against a real node (embedded Redis, its REST API): the Python example worker run as a
 * process, and this test as a second worker with its own HTTP client. The node runs no built-in worker; its lease is
 * 3 s so that expiry is seen quickly.
 */
class ExternalWorkersTest {
  private static final String TOKEN = "external-workers-token";
  private static ReverseNode reverse;
  private static Api api;

  @BeforeAll
  static void startNode() throws Exception {
    reverse = ReverseNode.start(TOKEN, settings -> settings);
    api = reverse.api;
  }

  @AfterAll
  static void stopNode() {
    ReverseNode.stop(reverse);
  }

  @Test
  @DisplayName("built-in names cannot be declared; bad and unknown payloads get 400 and enqueue nothing")
  void refusals() throws Exception {
    Api.Reply builtIn = api.put("/api/types/print", "{\"type\":\"object\"}");
    assertEquals(400, builtIn.status(), builtIn.body());
    assertTrue(builtIn.body().contains("built-in"), builtIn.body());

    Api.Reply wrong = api.post("/api/jobs", "{\"type\":\"reverse\",\"payload\":{\"text\":5},\"client\":\"ext\"}");
    assertEquals(400, wrong.status(), wrong.body());
    assertTrue(wrong.body().contains("reverse payload"), wrong.body());
    Api.Reply unknown = api.post("/api/jobs", "{\"type\":\"nosuch\",\"payload\":{},\"client\":\"ext\"}");
    assertEquals(400, unknown.status(), unknown.body());
    assertTrue(unknown.body().contains("unknown job type 'nosuch'"), unknown.body());
    Api.Reply notDeclared = api.post("/api/work/nosuch/fetch", "{\"max\":1}");
    assertEquals(404, notDeclared.status(), notDeclared.body());
    Api.Reply tooMany = api.post("/api/work/reverse/fetch", "{\"max\":1001}");
    assertEquals(400, tooMany.status(), tooMany.body());
    // The work requests' bodies, checked by WorkRequests with the rules of openapi.yaml.
    for (String[] bad : new String[][] {
        {"/api/work/reverse/fetch", "{\"max\":\"ten\"}"}, {"/api/work/reverse/fetch", "{\"wait\":31}"},
        {"/api/work/reverse/fetch", "{\"max\":1,\"other\":1}"}, {"/api/work/reverse/fetch", "[1]"},
        {"/api/work/Bad/fetch", "{\"max\":1}"}, {"/api/work/not-a-lease/complete", "{\"result\":{}}"},
        {"/api/work/0123456789abcdef0123456789abcdef/complete", "{\"result\":5}"},
        {"/api/work/complete", "{\"jobs\":[]}"}, {"/api/work/complete", "{\"jobs\":[{\"lease\":\"x\"}]}"},
        {"/api/work/complete", "{\"jobs\":[{\"lease\":\"0123456789abcdef0123456789abcdef\",\"extra\":1}]}"}}) {
      Api.Reply refused = api.post(bad[0], bad[1]);
      assertEquals(400, refused.status(), bad[0] + " " + bad[1] + ": " + refused.body());
      assertTrue(refused.json().getString("detail").startsWith("/"), "names where: " + refused.body());
    }
    Api.Reply notJson = api.post("/api/work/reverse/fetch", "max=1", "text/plain", TOKEN);
    assertEquals(400, notJson.status(), notJson.body());
    assertEquals(401, api.post("/api/work/reverse/fetch", "{\"max\":1}", null, "wrong-token").status());
  }

  @Test
  @DisplayName("the Python example completes 100 jobs with the right results; killed holding leases, its jobs are completed once by another worker")
  void pythonWorker() throws Exception {
    List<String> ids = new ArrayList<>();
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 100; i++) {
      if (i % 2 == 0) {
        ids.add(submit("hello " + i));
      } else {
        batch.add(request("hello " + i));
      }
    }
    Api.Reply batched = api.post("/api/jobs/batch", batch.encode());
    assertEquals(202, batched.status(), batched.body());
    batched.json().getJsonArray("ids").forEach(id -> ids.add((String) id));

    Process worker = python("--max", "10");
    try {
      Poll.until(Duration.ofSeconds(30), "100 jobs completed by the Python worker",
          () -> ids.stream().allMatch(id -> "completed".equals(job(id).getString("status"))));
    } finally {
      worker.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    for (String id : ids) {
      JsonObject record = job(id);
      String text = record.getJsonObject("payload", new JsonObject()).getString("text");
      if (text != null) {
        assertEquals(new StringBuilder(text).reverse().toString(), record.getJsonObject("result").getString("reversed"), record.encode());
      }
      assertEquals(1, record.getInteger("attempts"), record.encode());
    }

    // A worker that holds its leases (30 s a job) and dies with kill -9.
    List<String> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(submit("held " + i));
    }
    Process slow = python("--max", "5", "--delay", "30");
    Poll.until(Duration.ofSeconds(10), "the slow worker to take the 5 jobs",
        () -> held.stream().allMatch(id -> "running".equals(job(id).getString("status"))));
    slow.destroyForcibly().waitFor(5, TimeUnit.SECONDS); // SIGKILL

    // This test is the second worker: the jobs come back once the 3 s lease has passed, their second attempt.
    Set<String> completed = new HashSet<>();
    long deadline = System.currentTimeMillis() + 15_000;
    while (completed.size() < held.size() && System.currentTimeMillis() < deadline) {
      JsonArray jobs = api.post("/api/work/reverse/fetch", "{\"max\":10,\"wait\":1}").json().getJsonArray("jobs");
      for (Object o : jobs) {
        JsonObject leased = (JsonObject) o;
        assertTrue(held.contains(leased.getString("id")), "only the held jobs are left: " + leased.encode());
        assertTrue(completed.add(leased.getString("id")), "offered once: " + leased.encode());
        assertEquals(2, leased.getInteger("attempts"), leased.encode());
        Api.Reply done = api.post("/api/work/" + leased.getString("lease") + "/complete",
            new JsonObject().put("result", new JsonObject().put("by", "second")).encode());
        assertEquals(200, done.status(), done.body());
      }
    }
    assertEquals(new HashSet<>(held), completed);
    for (String id : held) {
      JsonObject record = job(id);
      assertEquals("completed", record.getString("status"), record.encode());
      assertEquals("second", record.getJsonObject("result").getString("by"), record.encode());
    }
    assertEquals(0, api.post("/api/work/reverse/fetch", "{\"max\":10,\"wait\":0}").json().getJsonArray("jobs").size());
  }

  @Test
  @DisplayName("a lease not settled expires: the job comes back with its next attempt, the old lease is refused, fail retries")
  void leaseExpiresAndFailRetries() throws Exception {
    String id = submit("expiring");
    JsonObject first = fetchOne(id, 5);
    assertEquals(1, first.getInteger("attempts"));
    Api.Reply extended = api.post("/api/work/" + first.getString("lease") + "/extend",
        "{\"progress\":{\"fraction\":0.5,\"message\":\"half\"}}");
    assertEquals(200, extended.status(), extended.body());
    assertEquals(0.5, job(id).getJsonObject("progress").getDouble("fraction"));

    JsonObject second = fetchOne(id, 10); // after the lease (3 s) and its grace
    assertEquals(2, second.getInteger("attempts"));
    Api.Reply late = api.post("/api/work/" + first.getString("lease") + "/complete", "{\"result\":{}}");
    assertEquals(404, late.status(), late.body());

    Api.Reply failed = api.post("/api/work/" + second.getString("lease") + "/fail", "{\"error\":\"disk full\"}");
    assertEquals(200, failed.status(), failed.body());
    assertEquals("failed", job(id).getString("status"));
    JsonObject third = fetchOne(id, 10); // after the retry backoff
    assertEquals(3, third.getInteger("attempts"));
    assertEquals(200, api.post("/api/work/" + third.getString("lease") + "/complete", "{\"result\":{\"ok\":true}}").status());
    JsonObject record = job(id);
    assertEquals("completed", record.getString("status"), record.encode());
    assertEquals(true, record.getJsonObject("result").getBoolean("ok"));
  }

  @Test
  @DisplayName("the shell example (curl and jq) completes jobs with the right results")
  void shellWorker() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(submit("shell " + i));
    }
    // In a process group of its own, so that its curl and jq go with it.
    Process worker = start(List.of("setsid", "sh", "examples/worker.sh", "reverse"));
    try {
      Poll.until(Duration.ofSeconds(20), "10 jobs completed by the shell worker",
          () -> ids.stream().allMatch(id -> "completed".equals(job(id).getString("status"))));
    } finally {
      new ProcessBuilder("kill", "-9", "--", "-" + worker.pid()).start().waitFor(5, TimeUnit.SECONDS);
      worker.waitFor(5, TimeUnit.SECONDS);
    }
    for (String id : ids) {
      JsonObject record = job(id);
      String text = record.getJsonObject("payload").getString("text");
      assertEquals(new StringBuilder(text).reverse().toString(), record.getJsonObject("result").getString("reversed"));
    }
  }

  @Test
  @DisplayName("POST /api/work/complete settles many leases in one request and names those that are gone")
  void completeMany() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(submit("many " + i));
    }
    JsonArray settled = new JsonArray();
    Set<String> fetched = new HashSet<>();
    long deadline = System.currentTimeMillis() + 10_000;
    while (fetched.size() < ids.size() && System.currentTimeMillis() < deadline) {
      for (Object o : api.post("/api/work/reverse/fetch", "{\"max\":10,\"wait\":1}").json().getJsonArray("jobs")) {
        JsonObject leased = (JsonObject) o;
        assertTrue(ids.contains(leased.getString("id")), leased.encode());
        fetched.add(leased.getString("id"));
        settled.add(new JsonObject().put("lease", leased.getString("lease"))
            .put("result", new JsonObject().put("n", leased.getString("id"))));
      }
    }
    String unknown = "0123456789abcdef0123456789abcdef";
    settled.add(new JsonObject().put("lease", unknown).put("result", new JsonObject()));
    Api.Reply reply = api.post("/api/work/complete", new JsonObject().put("jobs", settled).encode());
    assertEquals(200, reply.status(), reply.body());
    assertEquals(3, reply.json().getInteger("completed"), reply.body());
    assertEquals(new JsonArray().add(unknown), reply.json().getJsonArray("gone"));
    for (String id : ids) {
      JsonObject record = job(id);
      assertEquals("completed", record.getString("status"), record.encode());
      assertEquals(id, record.getJsonObject("result").getString("n"));
    }
  }

  @Test
  @DisplayName("a dozen fetches waiting at once leave the API its own Redis connections: a read answers while they wait, and after")
  void waitingFetchesDoNotStarveTheApi() throws Exception {
    assertEquals(200, api.put("/api/types/idle-type", "{\"type\":\"object\"}").status());
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(12);
    try {
      List<java.util.concurrent.Future<Api.Reply>> fetches = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        fetches.add(threads.submit(() -> api.post("/api/work/idle-type/fetch", "{\"max\":1,\"wait\":2}")));
      }
      Thread.sleep(500);
      // A read of a record (none: 404) goes to Redis through the API's pool: it must not wait for the fetches.
      assertEquals(404, readWithin(1_200).status(), "a read while the fetches wait");
      for (java.util.concurrent.Future<Api.Reply> fetch : fetches) {
        Api.Reply reply = fetch.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, reply.status(), reply.body());
        assertEquals(0, reply.json().getJsonArray("jobs").size(), reply.body());
      }
      assertEquals(404, readWithin(2_000).status(), "a read after the fetches");
    } finally {
      threads.shutdownNow();
    }
  }

  private static Api.Reply readWithin(long millis) throws Exception {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return api.get("/api/jobs/no-such-job-here");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private static Process python(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", "examples/worker.py", "reverse", "--wait", "1"));
    command.addAll(List.of(args));
    return start(command);
  }

  private static String submit(String text) throws Exception {
    return reverse.submit(text, "ext");
  }

  private static JsonObject request(String text) {
    return reverse.request(text, "ext");
  }

  private static JsonObject job(String id) {
    return reverse.job(id);
  }

  private static JsonObject fetchOne(String id, int seconds) throws Exception {
    return reverse.fetchOne(id, seconds);
  }

  private static Process start(List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("HWAAS_API", "http://127.0.0.1:" + reverse.node.httpPort());
    builder.environment().put("HWAAS_TOKEN", TOKEN);
    return builder.start();
  }

}
