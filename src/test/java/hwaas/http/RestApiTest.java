package hwaas.http;

import hwaas.node.NodeSettings;
import hwaas.node.Node;
import hwaas.jobs.Job;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import hwaas.jobs.JobHandlers;
import hwaas.jobs.PrintHandler;
import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST API of a real node (clustered Vert.x, real Redis), called over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestApiTest {
  private static final String TOKEN = "rest-api-test-token-1234";

  private final Capture stdout = new Capture();
  private Printer printer;
  private NodeSettings config;
  private Node node;
  private Api api;
  private RedisProbe probe;

  @BeforeAll
  void startNode() {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(2, 0, 1), TOKEN);
    config = local.withLimits(local.limits().withMaxSleep(Duration.ofSeconds(5)))
        .withWorkers(local.workers().withRetries(2, Duration.ofMillis(100)));
    printer = new Printer(stdout, () -> { });
    // print jobs whose message starts with "fail" fail, so the dead-letter endpoints have something to show
    PrintHandler print = new PrintHandler(printer);
    JobHandlers handlers = JobHandlers.standard(printer, config.limits()).withPrint(job ->
        job.payload().getString("message").startsWith("fail") ? Future.failedFuture("asked to fail") : print.run(job));
    node = Node.start(config, handlers);
    api = new Api(node.httpPort(), TOKEN);
    probe = new RedisProbe(config);
  }

  @AfterAll
  void stopNode() {
    node.stop();
    probe.close();
    printer.close();
  }

  @Test
  @DisplayName("a job of each type goes from queued to completed with its result")
  void everyTypeCompletes() throws Exception {
    String client = "types-" + UUID.randomUUID();
    JsonObject print = completed(submit("print", "{\"message\":\"hello from the API\"}", client));
    JsonObject sleep = completed(submit("sleep", "{\"seconds\":0.3,\"message\":\"slept well\"}", client));
    JsonObject sum = completed(submit("sum", "{\"numbers\":[1,2,3.5]}", client));
    JsonObject product = completed(submit("multiply", "{\"numbers\":[2,3,4]}", client));

    assertTrue(stdout.lines().contains("hello from the API"));
    assertTrue(stdout.lines().contains("slept well"));
    assertEquals(0.3, sleep.getJsonObject("result").getDouble("slept"));
    assertEquals(6.5, sum.getJsonObject("result").getDouble("value"));
    assertEquals(24, product.getJsonObject("result").getInteger("value"));
    for (JsonObject job : List.of(print, sleep, sum, product)) {
      assertEquals(1, job.getInteger("attempts"));
      assertEquals(client, job.getString("client"));
      assertNotNull(job.getString("createdAt"));
      assertNotNull(job.getString("startedAt"));
      assertNotNull(job.getString("finishedAt"));
      assertTrue(job.getString("worker").startsWith(node.nodeId()));
      assertFalse(job.getBoolean("cached"));
    }

    Api.Reply list = api.get("/api/jobs?client=" + client + "&limit=3");
    assertEquals(200, list.status());
    List<String> newestFirst = list.json().getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("type")).toList();
    assertEquals(List.of("multiply", "sum", "sleep"), newestFirst);
  }

  @Test
  @DisplayName("POST /api/jobs answers 202 with the id, status queued and a Location that finds the job")
  void submitAnswer() throws Exception {
    Api.Reply reply = api.post("/api/jobs", job("print", "{\"message\":\"located\"}", "loc"));

    assertEquals(202, reply.status(), reply.body());
    assertEquals("queued", reply.json().getString("status"));
    String location = reply.raw().headers().firstValue("Location").orElseThrow();
    assertEquals("/api/jobs/" + reply.json().getString("id"), location);
    assertEquals(200, api.get(location).status());
  }

  @Test
  @DisplayName("the same sum asked again is answered from the cache at once, marked cached, without a new entry")
  void cacheHit() throws Exception {
    String numbers = "{\"numbers\":[" + System.nanoTime() + ",1]}";
    JsonObject first = completed(submit("sum", numbers, "cache"));
    long processed = processed("sum");

    Api.Reply again = api.post("/api/jobs", job("sum", numbers, "cache-2"));

    assertEquals(202, again.status());
    assertEquals("completed", again.json().getString("status"));
    assertTrue(again.json().getBoolean("cached"));
    JsonObject record = api.get("/api/jobs/" + again.json().getString("id")).json();
    assertTrue(record.getBoolean("cached"));
    assertEquals(first.getJsonObject("result"), record.getJsonObject("result"));
    assertEquals(processed, processed("sum"), "a cache hit must not reach a worker");
  }

  @Test
  @DisplayName("a retry with the same Idempotency-Key returns the same job and enqueues nothing new")
  void idempotencyKey() throws Exception {
    String key = "key-" + UUID.randomUUID();
    pause("multiply");
    try {
      Api.Reply first = api.post("/api/jobs", job("multiply", "{\"numbers\":[7,6]}", "idem"), "application/json", TOKEN,
          "Idempotency-Key", key);
      Api.Reply second = api.post("/api/jobs", job("multiply", "{\"numbers\":[7,6]}", "idem"), "application/json", TOKEN,
          "Idempotency-Key", key);

      assertEquals(202, first.status(), first.body());
      assertEquals(202, second.status(), second.body());
      assertEquals(first.json().getString("id"), second.json().getString("id"));
      assertEquals(1, probe.streamLength("multiply"));
    } finally {
      resume("multiply");
    }
    Poll.until(Duration.ofSeconds(5), "the multiply queue to drain", () -> length("multiply") == 0);
  }

  @Test
  @DisplayName("bad input of every kind gets a JSON error with the right status and enqueues nothing")
  void badInput() throws Exception {
    String client = "bad-" + UUID.randomUUID();
    long before = allStreams();
    String big = "x".repeat(HttpVerticle.BODY_LIMIT + 1);
    record Case(String what, int status, Api.Reply reply) {
    }
    List<Case> cases = List.of(
        new Case("malformed JSON", 400, api.post("/api/jobs", "{\"type\": ")),
        new Case("wrong content type", 415, api.post("/api/jobs", job("print", "{\"message\":\"x\"}", client), "text/plain", TOKEN)),
        new Case("body over the limit", 413, api.post("/api/jobs", job("print", "{\"message\":\"" + big + "\"}", client))),
        new Case("unknown job type", 400, api.post("/api/jobs", job("juggle", "{}", client))),
        new Case("missing field", 400, api.post("/api/jobs", "{\"type\":\"print\",\"client\":\"" + client + "\"}")),
        new Case("mistyped field", 400, api.post("/api/jobs", job("print", "{\"message\":42}", client))),
        new Case("negative sleep", 400, api.post("/api/jobs", job("sleep", "{\"seconds\":-1,\"message\":\"x\"}", client))),
        new Case("too long a sleep", 400, api.post("/api/jobs", job("sleep", "{\"seconds\":6,\"message\":\"x\"}", client))),
        new Case("non-numeric numbers", 400, api.post("/api/jobs", job("sum", "{\"numbers\":[1,\"two\"]}", client))),
        new Case("empty numbers", 400, api.post("/api/jobs", job("multiply", "{\"numbers\":[]}", client))),
        new Case("oversized message", 400, api.post("/api/jobs", job("print", "{\"message\":\"" + "y".repeat(4097) + "\"}", client))),
        new Case("unknown job id", 404, api.get("/api/jobs/no-such-job")),
        new Case("unknown queue", 404, api.post("/api/queues/juggle/pause", null, null, TOKEN)),
        new Case("unknown dead job", 404, api.post("/api/dead/1-1/requeue", null, null, TOKEN)),
        new Case("missing token", 401, api.post("/api/jobs", job("print", "{\"message\":\"x\"}", client), "application/json", null)),
        new Case("wrong token", 401, api.post("/api/jobs", job("print", "{\"message\":\"x\"}", client), "application/json", "guess")),
        new Case("missing token on pause", 401, api.post("/api/queues/print/pause", null, null, null)));
    for (Case c : cases) {
      assertEquals(c.status(), c.reply().status(), c.what() + ": " + c.reply().body());
      assertNotNull(c.reply().json(), c.what() + " answers JSON: " + c.reply().body());
      assertNotNull(c.reply().json().getString("error"), c.what());
      assertNotNull(c.reply().json().getString("detail"), c.what());
    }
    assertTrue(cases.get(5).reply().json().getString("detail").contains("message"), cases.get(5).reply().body());
    assertEquals(before, allStreams(), "bad input enqueued something");
    assertEquals(0, api.get("/api/jobs?client=" + client).json().getJsonArray("jobs").size());
    assertFalse(api.get("/api/queues").json().getJsonArray("queues").stream()
        .anyMatch(q -> ((JsonObject) q).getBoolean("paused") && "print".equals(((JsonObject) q).getString("type"))));
  }

  @Test
  @DisplayName("a job that keeps failing shows as dead in GET /api/dead, and POST /api/dead/{id}/requeue puts it back")
  void deadLetters() throws Exception {
    String id = submit("print", "{\"message\":\"fail, please\"}", "dead").getString("id");

    Poll.until(Duration.ofSeconds(10), "the job to be dead", () -> "dead".equals(status(id)));
    JsonObject record = api.get("/api/jobs/" + id).json();
    assertEquals("asked to fail", record.getString("error"));
    assertEquals(2, record.getInteger("attempts"));
    // The console's state indexes moved with it: listed as dead, no longer as failed or running.
    assertTrue(listed("/api/jobs?client=dead&state=dead").contains(id));
    assertFalse(listed("/api/jobs?client=dead&state=failed").contains(id));
    assertFalse(listed("/api/jobs?client=dead&state=running").contains(id));
    JsonObject letter = api.get("/api/dead").json().getJsonArray("jobs").stream().map(j -> (JsonObject) j)
        .filter(j -> id.equals(j.getJsonObject("job").getString("id"))).findFirst().orElseThrow();
    assertEquals("asked to fail", letter.getString("error"));

    Api.Reply requeued = api.post("/api/dead/" + letter.getString("deadId") + "/requeue", null, null, TOKEN);

    assertEquals(200, requeued.status(), requeued.body());
    assertEquals("queued", requeued.json().getString("status"));
    assertFalse(api.get("/api/dead").body().contains(letter.getString("deadId")));
    Poll.until(Duration.ofSeconds(10), "the requeued job to die again", () -> "dead".equals(status(id)));
  }

  private List<String> listed(String path) throws Exception {
    return api.get(path).json().getJsonArray("jobs").stream().map(j -> ((JsonObject) j).getString("id")).toList();
  }

  @Test
  @DisplayName("health, readiness, the contract and the queues answer")
  void readEndpoints() throws Exception {
    assertEquals("UP", api.get("/health").json().getString("status"));
    assertEquals("READY", api.get("/ready").json().getString("status"));
    Api.Reply contract = api.get("/api/openapi.yaml");
    assertEquals(200, contract.status());
    assertTrue(contract.body().contains("operationId: submitJob"));
    assertTrue(contract.body().contains("maximum: 5.0 # --max-sleep"), "the contract carries this node's --max-sleep");
    List<String> types = api.get("/api/queues").json().getJsonArray("queues").stream()
        .map(q -> ((JsonObject) q).getString("type")).toList();
    assertEquals(List.of("print", "sleep", "sum", "multiply"), types);
  }

  // helpers

  private static String job(String type, String payload, String client) {
    return "{\"type\":\"" + type + "\",\"payload\":" + payload + ",\"client\":\"" + client + "\"}";
  }

  private JsonObject submit(String type, String payload, String client) throws Exception {
    Api.Reply reply = api.post("/api/jobs", job(type, payload, client));
    assertEquals(202, reply.status(), reply.body());
    return reply.json();
  }

  private JsonObject completed(JsonObject accepted) throws Exception {
    String id = accepted.getString("id");
    Poll.until(Duration.ofSeconds(10), "job " + id + " to complete", () -> "completed".equals(status(id)));
    return api.get("/api/jobs/" + id).json();
  }

  private String status(String id) {
    try {
      Api.Reply reply = api.get("/api/jobs/" + id);
      return reply.status() == 200 ? reply.json().getString("status") : null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long processed(String type) throws Exception {
    return api.get("/api/queues").json().getJsonArray("queues").stream().map(q -> (JsonObject) q)
        .filter(q -> type.equals(q.getString("type"))).findFirst().orElseThrow().getLong("processed");
  }

  private void pause(String type) throws Exception {
    assertEquals(200, api.post("/api/queues/" + type + "/pause", null, null, TOKEN).status());
  }

  private void resume(String type) throws Exception {
    assertEquals(200, api.post("/api/queues/" + type + "/resume", null, null, TOKEN).status());
  }

  private long length(String type) {
    try {
      return probe.streamLength(type);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long allStreams() {
    return List.of(Job.PRINT, "sleep", "sum", "multiply").stream().mapToLong(this::length).sum();
  }
}
