package hwaas.http;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.TestConfigs;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancel across two clustered nodes sharing one Redis: node A serves the API and runs no worker, node B runs the only
 * worker, so every job A cancels runs (or waits) on the other node.
 */
class CancelTest {
  private static final String TOKEN = "cancel-test-token";
  private static final Capture OUT_A = new Capture();
  private static final Capture OUT_B = new Capture();
  private static Printer printerA;
  private static Printer printerB;
  private static Node a;
  private static Node b;
  private static Api api;

  @BeforeAll
  static void startNodes() {
    NodeSettings base = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    printerA = new Printer(OUT_A, () -> { });
    printerB = new Printer(OUT_B, () -> { });
    NodeSettings apiOnly = base.withWorkers(base.workers().withCount(0));
    a = Node.start(apiOnly, JobHandlers.standard(printerA, apiOnly.limits()));
    b = Node.start(base, JobHandlers.standard(printerB, base.limits()));
    api = new Api(a.httpPort(), TOKEN);
  }

  @AfterAll
  static void stopNodes() {
    if (b != null) {
      b.stop();
    }
    if (a != null) {
      a.stop();
    }
    printerA.close();
    printerB.close();
  }

  @Test
  @DisplayName("a sleep 30 job running on the other node is canceled within a second, never prints, and its worker is free again")
  void cancelRunningOnAnotherNode() throws Exception {
    String id = submit("{\"type\":\"sleep\",\"payload\":{\"seconds\":30,\"message\":\"never printed\"},\"client\":\"cancel\"}");
    Poll.until(Duration.ofSeconds(10), "the sleep job to run on node B", () -> "running".equals(status(id)));
    assertTrue(job(id).getString("worker").startsWith(b.nodeId()), "ran on node B: " + job(id));

    long asked = System.nanoTime();
    Api.Reply canceled = api.post("/api/jobs/" + id + "/cancel", null, null, TOKEN);
    assertEquals(200, canceled.status(), canceled.body());
    assertEquals("canceled", canceled.json().getString("status"));
    assertEquals("running", canceled.json().getString("was"));
    // Stopped where it ran: the worker acknowledged the entry (nothing of sleep in flight any more).
    Poll.until(Duration.ofSeconds(1), "the worker on node B to stop the job", () -> sleepQueue().getLong("inFlight") == 0);
    long stoppedMillis = (System.nanoTime() - asked) / 1_000_000;
    assertTrue(stoppedMillis < 1_000, "stopped after " + stoppedMillis + " ms");
    assertEquals("canceled", status(id));

    // The worker is free: a short job completes at once, and the canceled message never shows.
    String next = submit("{\"type\":\"sleep\",\"payload\":{\"seconds\":0.1,\"message\":\"after the cancel\"},\"client\":\"cancel\"}");
    JsonObject done = api.get("/api/jobs/" + next + "?wait=5").json();
    assertEquals("completed", done.getString("status"), done.encode());
    assertTrue(OUT_B.lines().contains("after the cancel"));
    assertFalse(OUT_A.lines().contains("never printed") || OUT_B.lines().contains("never printed"));
    assertEquals("canceled", status(id), "a canceled job stays canceled");
  }

  @Test
  @DisplayName("a chain canceled while its second step runs on the other node: that step stops, the rest never starts")
  void cancelChain() throws Exception {
    String root = submit("{\"type\":\"sum\",\"payload\":{\"numbers\":[1]},\"client\":\"cancel-chain\",\"then\":["
        + "{\"type\":\"sleep\",\"payload\":{\"seconds\":30,\"message\":\"chain step never done\"}},"
        + "{\"type\":\"print\",\"payload\":{\"message\":\"chain step never started\"}}]}");
    Poll.until(Duration.ofSeconds(10), "the chain's sleep step to run", () -> "running".equals(status(root + ".1")));
    Api.Reply canceled = api.post("/api/jobs/" + root + "/cancel", null, null, TOKEN);
    assertEquals(200, canceled.status(), canceled.body());
    assertEquals("running", canceled.json().getString("was"));
    assertEquals(root, canceled.json().getString("chain"));
    Poll.until(Duration.ofSeconds(1), "the sleep step to stop", () -> sleepQueue().getLong("inFlight") == 0);
    Thread.sleep(500);
    JsonObject chain = job(root);
    assertEquals("canceled", chain.getString("status"), chain.encode());
    assertEquals("completed", chain.getJsonArray("steps").getJsonObject(0).getString("status"), chain.encode());
    assertEquals("canceled", chain.getJsonArray("steps").getJsonObject(1).getString("status"), chain.encode());
    assertEquals("waiting", chain.getJsonArray("steps").getJsonObject(2).getString("status"), chain.encode());
    assertEquals(404, api.get("/api/jobs/" + root + ".2").status(), "the last step was never created");
    assertFalse(OUT_B.lines().contains("chain step never done") || OUT_B.lines().contains("chain step never started"));
    assertEquals(409, api.post("/api/jobs/" + root + ".1/cancel", null, null, TOKEN).status(), "a canceled chain is over");
  }

  @Test
  @DisplayName("a queued job of a paused type, canceled, never runs after the resume")
  void cancelQueuedOfPausedType() throws Exception {
    assertEquals(200, api.post("/api/queues/multiply/pause", null, null, TOKEN).status());
    try {
      Thread.sleep(200); // the pause reaches node B's worker over the event bus within milliseconds
      String id = submit("{\"type\":\"multiply\",\"payload\":{\"numbers\":[6,7]},\"client\":\"cancel-paused\"}");
      String kept = submit("{\"type\":\"multiply\",\"payload\":{\"numbers\":[2,3]},\"client\":\"cancel-paused\"}");
      Api.Reply canceled = api.post("/api/jobs/" + id + "/cancel", null, null, TOKEN);
      assertEquals(200, canceled.status(), canceled.body());
      assertEquals("queued", canceled.json().getString("was"));
      assertEquals(200, api.post("/api/queues/multiply/resume", null, null, TOKEN).status());
      JsonObject done = api.get("/api/jobs/" + kept + "?wait=5").json();
      assertEquals("completed", done.getString("status"), done.encode());
      JsonObject record = job(id);
      assertEquals("canceled", record.getString("status"), record.encode());
      assertEquals(null, record.getValue("result"), "a canceled job has no result");
      assertEquals(null, record.getValue("startedAt"), "a canceled job never started");
      JsonObject multiply = queue("multiply");
      assertEquals(0, multiply.getLong("pending") + multiply.getLong("inFlight"), multiply.encode());
    } finally {
      api.post("/api/queues/multiply/resume", null, null, TOKEN);
    }
  }

  @Test
  @DisplayName("a delayed job, canceled, is never moved to its stream")
  void cancelScheduled() throws Exception {
    String id = submit("{\"type\":\"print\",\"payload\":{\"message\":\"delayed then canceled\"},\"client\":\"cancel\",\"delay\":1}");
    Api.Reply canceled = api.post("/api/jobs/" + id + "/cancel", null, null, TOKEN);
    assertEquals(200, canceled.status(), canceled.body());
    assertEquals("scheduled", canceled.json().getString("was"));
    String later = submit("{\"type\":\"print\",\"payload\":{\"message\":\"delayed and kept\"},\"client\":\"cancel\",\"delay\":1.2}");
    assertEquals("completed", api.get("/api/jobs/" + later + "?wait=10").json().getString("status"));
    assertEquals("canceled", status(id));
    assertFalse(OUT_B.lines().contains("delayed then canceled"));
  }

  @Test
  @DisplayName("a completed job answers 409 and stays completed; an unknown one 404; a read-only token may not cancel")
  void cancelFinishedOrUnknown() throws Exception {
    String id = submit("{\"type\":\"sum\",\"payload\":{\"numbers\":[40,2]},\"client\":\"cancel-done\"}");
    JsonObject done = api.get("/api/jobs/" + id + "?wait=5").json();
    assertEquals("completed", done.getString("status"), done.encode());
    Api.Reply refused = api.post("/api/jobs/" + id + "/cancel", null, null, TOKEN);
    assertEquals(409, refused.status(), refused.body());
    assertTrue(refused.body().contains("completed"), refused.body());
    JsonObject after = job(id);
    assertEquals("completed", after.getString("status"));
    assertEquals(done.getJsonObject("result"), after.getJsonObject("result"));

    assertEquals(404, api.post("/api/jobs/api-nosuchjob/cancel", null, null, TOKEN).status());
    assertEquals(401, api.post("/api/jobs/" + id + "/cancel", null, null, "wrong-token").status());
  }

  private static String submit(String body) throws Exception {
    Api.Reply reply = api.post("/api/jobs", body);
    assertEquals(202, reply.status(), reply.body());
    return reply.json().getString("id");
  }

  private static JsonObject job(String id) {
    try {
      return api.get("/api/jobs/" + id).json();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String status(String id) {
    return job(id).getString("status");
  }

  private static JsonObject sleepQueue() {
    return queue("sleep");
  }

  private static JsonObject queue(String type) {
    try {
      for (Object q : api.get("/api/queues").json().getJsonArray("queues")) {
        JsonObject queue = (JsonObject) q;
        if (type.equals(queue.getString("type"))) {
          return queue;
        }
      }
      throw new AssertionError("no queue " + type);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
