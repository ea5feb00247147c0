package hwaas.http;

import hwaas.jobs.JobHandlers;
import hwaas.jobs.PrintHandler;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Batches, {@code ?wait} and the event stream across two clustered nodes: every request goes to node A, which runs no
 * workers, so every job runs on node B and every answer about its end crosses the cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchAndWaitTest {
  private static final String TOKEN = "batch-and-wait-test-token";

  private final Capture stdout = new Capture();
  /** Jobs whose message starts with "flaky" fail their first attempt. */
  private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
  private Printer printer;
  private Node a;
  private Node b;
  private Api api;
  private RedisProbe probe;

  @BeforeAll
  void startNodes() {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(0, 0, 1), TOKEN);
    NodeSettings configA = local.withLimits(local.limits().withMaxSleep(Duration.ofSeconds(5)));
    NodeSettings configB = configA.withWorkers(configA.workers().withCount(2).withRetries(3, Duration.ofMillis(100)));
    printer = new Printer(stdout, () -> { });
    PrintHandler print = new PrintHandler(printer);
    JobHandlers handlers = JobHandlers.standard(printer, configB.limits()).withPrint(job ->
        job.payload().getString("message").startsWith("flaky") && failedOnce.add(job.id())
            ? Future.failedFuture("first attempts of flaky jobs fail") : print.run(job));
    a = Node.start(configA, JobHandlers.standard(printer, configA.limits()));
    b = Node.start(configB, handlers);
    api = new Api(a.httpPort(), TOKEN);
    probe = new RedisProbe(configA);
  }

  @AfterAll
  void stopNodes() {
    b.stop();
    a.stop();
    probe.close();
    printer.close();
  }

  @Test
  @DisplayName("POST /api/jobs/batch answers the ids in order, each job with its own record, and all of them run")
  void batchKeepsOrder() throws Exception {
    String client = "batch-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> bodies = List.of(
        job("print", "{\"message\":\"batch one\"}", client),
        job("sum", "{\"numbers\":[1,2,3]}", client),
        job("print", "{\"message\":\"batch three\"}", client),
        job("multiply", "{\"numbers\":[2,5]}", client + "-other"),
        job("sleep", "{\"seconds\":0.1,\"message\":\"batch five\"}", client));
    Api.Reply reply = api.post("/api/jobs/batch", "[" + String.join(",", bodies) + "]");
    assertEquals(202, reply.status(), reply.body());
    JsonArray ids = reply.json().getJsonArray("ids");
    assertEquals(5, ids.size());
    assertEquals(5, Set.copyOf(ids.getList()).size(), "each job has its own id");

    for (int i = 0; i < ids.size(); i++) {
      JsonObject record = api.get("/api/jobs/" + ids.getString(i) + "?wait=10").json();
      JsonObject sent = new JsonObject(bodies.get(i));
      assertEquals("completed", record.getString("status"), record.encode());
      assertEquals(sent.getString("type"), record.getString("type"), "job " + i + " is the " + i + "th of the batch");
      assertEquals(sent.getJsonObject("payload"), record.getJsonObject("payload"));
      assertEquals(sent.getString("client"), record.getString("client"));
    }
    assertEquals(6, api.get("/api/jobs/" + ids.getString(1)).json().getJsonObject("result").getInteger("value"));
    assertTrue(stdout.lines().containsAll(List.of("batch one", "batch three", "batch five")), stdout.lines().toString());
    assertEquals(4, api.get("/api/jobs?client=" + client).json().getJsonArray("jobs").size(), "the client's index has them");
  }

  @Test
  @DisplayName("a batch with a bad job at index k is refused whole, naming k, and queues nothing")
  void badJobRefusesTheBatch() throws Exception {
    String client = "bad-batch-" + UUID.randomUUID().toString().substring(0, 8);
    long before = Stream.of("print", "sum").mapToLong(this::streamLength).sum();
    String batch = "[" + job("print", "{\"message\":\"fine\"}", client) + "," + job("sum", "{\"numbers\":[1]}", client) + ","
        + job("sum", "{\"numbers\":[\"two\"]}", client) + "]";

    Api.Reply reply = api.post("/api/jobs/batch", batch);

    assertEquals(400, reply.status(), reply.body());
    assertTrue(reply.json().getString("detail").startsWith("[2]: "), reply.body());
    for (String wrong : List.of("[]", "{}", "[1]", "[" + String.join(",", java.util.Collections.nCopies(1001,
        job("print", "{\"message\":\"x\"}", client))) + "]")) {
      Api.Reply refused = api.post("/api/jobs/batch", wrong);
      assertEquals(400, refused.status(), wrong.length() > 50 ? "1001 jobs" : wrong);
    }
    assertEquals(before, Stream.of("print", "sum").mapToLong(this::streamLength).sum(), "nothing was queued");
    assertEquals(0, api.get("/api/jobs?client=" + client).json().getJsonArray("jobs").size(), "no record was written");
  }

  @Test
  @DisplayName("a batch retried with its Idempotency-Key gets the same ids and queues nothing twice; another body is 422")
  void batchIdempotency() throws Exception {
    String client = "idem-batch-" + UUID.randomUUID().toString().substring(0, 8);
    String key = "key-" + UUID.randomUUID();
    String batch = "[" + job("print", "{\"message\":\"once a\"}", client) + "," + job("print", "{\"message\":\"once b\"}", client) + "]";

    Api.Reply first = api.post("/api/jobs/batch", batch, "application/json", TOKEN, "Idempotency-Key", key);
    Api.Reply again = api.post("/api/jobs/batch", batch, "application/json", TOKEN, "Idempotency-Key", key);
    Api.Reply other = api.post("/api/jobs/batch", batch.replace("once b", "twice"), "application/json", TOKEN, "Idempotency-Key", key);

    assertEquals(202, first.status(), first.body());
    assertEquals(202, again.status(), again.body());
    assertEquals(first.json().getJsonArray("ids"), again.json().getJsonArray("ids"));
    assertEquals(422, other.status(), other.body());
    for (Object id : first.json().getJsonArray("ids")) {
      assertEquals("completed", api.get("/api/jobs/" + id + "?wait=10").json().getString("status"));
    }
    Thread.sleep(300);
    assertEquals(1, stdout.lines().stream().filter("once a"::equals).count(), stdout.lines().toString());
    assertEquals(1, stdout.lines().stream().filter("once b"::equals).count());
    assertFalse(stdout.lines().contains("twice"));
  }

  @Test
  @DisplayName("?wait answers as soon as the job on the other node completes, and with the record as it is when time is up")
  void waitEndsEarlyOrOnTime() throws Exception {
    String client = "wait-" + UUID.randomUUID().toString().substring(0, 8);
    String quick = api.post("/api/jobs", job("sleep", "{\"seconds\":0.5,\"message\":\"quick\"}", client)).json().getString("id");
    long start = System.nanoTime();
    JsonObject done = api.get("/api/jobs/" + quick + "?wait=10").json();
    long quickMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals("completed", done.getString("status"), done.encode());
    assertTrue(quickMillis >= 400 && quickMillis < 5_000, "answered after " + quickMillis + " ms, not at once nor at the end");

    String slow = api.post("/api/jobs", job("sleep", "{\"seconds\":4,\"message\":\"slow\"}", client)).json().getString("id");
    start = System.nanoTime();
    JsonObject pending = api.get("/api/jobs/" + slow + "?wait=1").json();
    long slowMillis = (System.nanoTime() - start) / 1_000_000;
    assertNotEquals("completed", pending.getString("status"), pending.encode());
    assertTrue(slowMillis >= 950 && slowMillis < 3_000, "answered after " + slowMillis + " ms, not after about 1 s");

    assertEquals(404, api.get("/api/jobs/api-0123456789abcdef0123?wait=5").status(), "an unknown job is 404 at once");
    assertEquals(400, api.get("/api/jobs/" + slow + "?wait=31").status(), "wait is at most 30 s");
    // Checked by hand, as the contract says (the route skips the router's validation).
    for (String bad : List.of("?wait=-1", "?wait=abc", "?wait=1.5", "?wait=1&wait=2")) {
      Api.Reply reply = api.get("/api/jobs/" + slow + bad);
      assertEquals(400, reply.status(), bad + ": " + reply.body());
      assertTrue(reply.json().getString("detail").contains("wait"), reply.body());
    }
    assertEquals(400, api.get("/api/jobs/" + "x".repeat(129)).status(), "an id is at most 128 characters");
    assertEquals(400, api.get("/api/jobs/bad%20id").status(), "an id has no spaces");
  }

  @Test
  @DisplayName("GET /api/jobs/{id}/events streams the record, then running, failed, running, completed, in order, and ends")
  void eventsInOrder() throws Exception {
    String client = "events-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(200, api.post("/api/queues/print/pause", null, null, TOKEN).status());
    Thread.sleep(500); // the notice reaches node B within milliseconds; a read already blocking there ends within 200 ms
    try {
      String id = api.post("/api/jobs", job("print", "{\"message\":\"flaky but fine\"}", client)).json().getString("id");
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.httpPort() + "/api/jobs/" + id + "/events"))
          .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(20)).GET().build();
      var response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
      Thread.sleep(300); // the stream is open and holds the queued record before the job may run
      assertEquals(200, api.post("/api/queues/print/resume", null, null, TOKEN).status());

      HttpResponse<Stream<String>> events = response.get();
      assertEquals(200, events.statusCode());
      assertTrue(events.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
      List<String> names = Collections.synchronizedList(new ArrayList<>());
      List<JsonObject> data = Collections.synchronizedList(new ArrayList<>());
      // Ends when the node ends the stream, after "completed"; bounded, so a stream left open fails instead of hanging.
      CompletableFuture<Void> read = CompletableFuture.runAsync(() -> events.body().forEach(line -> {
        if (line.startsWith("event: ")) {
          names.add(line.substring(7));
        } else if (line.startsWith("data: ")) {
          data.add(new JsonObject(line.substring(6)));
        }
      }));
      try {
        read.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        read.cancel(true);
        fail("the event stream did not end within 30 s; events so far: " + names + " " + data);
      }
      assertEquals(List.of("job", "status", "status", "status", "status"), names, data.toString());
      assertEquals(List.of("queued", "running", "failed", "running", "completed"),
          data.stream().map(d -> d.getString("status")).toList(), data.toString());
      assertEquals("first attempts of flaky jobs fail", data.get(2).getString("error"));
      assertEquals(2, data.get(4).getInteger("attempts"));
    } finally {
      api.post("/api/queues/print/resume", null, null, TOKEN);
    }
    HttpResponse<String> unknown = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + a.httpPort() + "/api/jobs/no-such-job/events"))
        .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, unknown.statusCode(), unknown.body());
  }

  private long streamLength(String type) {
    try {
      return probe.streamLength(type);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String job(String type, String payload, String client) {
    return "{\"type\":\"" + type + "\",\"payload\":" + payload + ",\"client\":\"" + client + "\"}";
  }
}
