package hwaas.chain;

import hwaas.jobs.ArithmeticHandler;
import hwaas.jobs.JobHandler;
import hwaas.jobs.JobHandlers;
import io.vertx.core.Future;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.TestConfigs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chains and fan-out ({@code then}) on a real node: results passed on, the chain's status, a dead step stops it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChainsTest {
  private static final String TOKEN = "chains-test-token-0123";
  private final Capture out = new Capture();
  private Printer printer;
  private Node node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(2, 0, 1), TOKEN);
    NodeSettings settings = local.withWorkers(local.workers().withRetries(2, Duration.ofMillis(50)));
    printer = new Printer(out, () -> { });
    // multiply [13] always fails: the way to make a step that always fails.
    JobHandler multiply = ArithmeticHandler.multiply();
    node = Node.start(settings, JobHandlers.standard(printer, settings.limits()).with("multiply",
        job -> job.payload().getJsonArray("numbers").contains(13) ? Future.failedFuture("unlucky thirteen") : multiply.run(job)));
    api = new Api(node.httpPort(), TOKEN);
  }

  @AfterAll
  void stop() throws Exception {
    node.stop();
    printer.close();
  }

  @Test
  @DisplayName("sum [1,2,3] then multiply [2] gives 12; the first job's id stands for the chain, with each step")
  void resultPassesOn() throws Exception {
    JsonObject chain = runToEnd("{\"type\":\"sum\",\"payload\":{\"numbers\":[1,2,3]},\"client\":\"chains\","
        + "\"then\":[{\"type\":\"multiply\",\"payload\":{\"numbers\":[2]}}]}");
    assertEquals("completed", chain.getString("status"), chain.encode());
    assertEquals(12, chain.getJsonObject("result").getInteger("value"), chain.encode());
    JsonArray steps = chain.getJsonArray("steps");
    assertEquals(2, steps.size(), chain.encode());
    assertEquals(6, steps.getJsonObject(0).getJsonObject("result").getInteger("value"));
    JsonObject second = steps.getJsonObject(1);
    assertEquals(chain.getString("id") + ".1", second.getString("id"));
    assertEquals("completed", second.getString("status"));
    // The step is a job of its own, whose payload received the previous result.
    JsonObject step = api.get("/api/jobs/" + second.getString("id")).json();
    assertEquals(6, step.getJsonObject("payload").getJsonObject("previous").getInteger("value"), step.encode());
    assertEquals(chain.getString("id"), step.getString("chain"));
    assertEquals(1, step.getInteger("step"));
  }

  @Test
  @DisplayName("an all step of three sums gives their three results, and the next step sees them all")
  void fanOut() throws Exception {
    JsonObject chain = runToEnd("{\"type\":\"sum\",\"payload\":{\"numbers\":[1]},\"client\":\"chains\",\"then\":["
        + "{\"all\":[{\"type\":\"sum\",\"payload\":{\"numbers\":[10]}},{\"type\":\"sum\",\"payload\":{\"numbers\":[20]}},"
        + "{\"type\":\"sum\",\"payload\":{\"numbers\":[30]}}]},"
        + "{\"type\":\"sum\",\"payload\":{\"numbers\":[0]}}]}");
    assertEquals("completed", chain.getString("status"), chain.encode());
    JsonObject fanOut = chain.getJsonArray("steps").getJsonObject(1);
    assertEquals("completed", fanOut.getString("status"), fanOut.encode());
    assertEquals(3, fanOut.getJsonArray("all").size());
    // Each job of the fan-out received the first job's result: 10+1, 20+1, 30+1.
    assertEquals(List.of(11, 21, 31), fanOut.getJsonArray("result").stream()
        .map(r -> ((JsonObject) r).getInteger("value")).toList(), fanOut.encode());
    assertEquals(63, chain.getJsonObject("result").getInteger("value"), chain.encode());
  }

  @Test
  @DisplayName("a chain whose second step always fails ends dead at that step and runs no step after it")
  void deadStepStopsTheChain() throws Exception {
    String before = String.join("\n", out.lines());
    JsonObject chain = runToEnd("{\"type\":\"print\",\"payload\":{\"message\":\"chain step 0\"},\"client\":\"chains\","
        + "\"then\":[{\"type\":\"multiply\",\"payload\":{\"numbers\":[13]}},"
        + "{\"type\":\"print\",\"payload\":{\"message\":\"chain step 2 must never print\"}}]}");
    assertEquals("dead", chain.getString("status"), chain.encode());
    assertEquals(1, chain.getInteger("deadStep"), chain.encode());
    assertEquals("unlucky thirteen", chain.getString("error"), chain.encode());
    JsonArray steps = chain.getJsonArray("steps");
    assertEquals("dead", steps.getJsonObject(1).getString("status"));
    assertEquals("waiting", steps.getJsonObject(2).getString("status"));
    assertNull(chain.getValue("result"));
    Thread.sleep(500);
    assertFalse(String.join("\n", out.lines()).replace(before, "").contains("step 2"), out.lines().toString());
    assertEquals(1, out.lines().stream().filter("chain step 0"::equals).count(), out.lines().toString());
  }

  @Test
  @DisplayName("a bad step is refused with its place named, and nothing is enqueued")
  void badStepRefused() throws Exception {
    Api.Reply reply = api.post("/api/jobs", "{\"type\":\"sum\",\"payload\":{\"numbers\":[1]},\"client\":\"chains\","
        + "\"then\":[{\"type\":\"sum\",\"payload\":{\"numbers\":[2]}},{\"all\":[{\"type\":\"sum\",\"payload\":{\"numbers\":\"x\"}}]}]}");
    assertEquals(400, reply.status(), reply.body());
    assertTrue(reply.body().contains("then[1].all[0]"), reply.body());
    Api.Reply batch = api.post("/api/jobs/batch", "[{\"type\":\"sum\",\"payload\":{\"numbers\":[1]},\"client\":\"chains\"},"
        + "{\"type\":\"sum\",\"payload\":{\"numbers\":[1]},\"client\":\"chains\",\"then\":[{\"type\":\"nope\",\"payload\":{}}]}]");
    assertEquals(400, batch.status(), batch.body());
    assertTrue(batch.body().contains("[1].then[0]"), batch.body());
  }

  @Test
  @DisplayName("the events of a chain's first job end only when the chain does, with the chain's result")
  void waitFollowsTheChain() throws Exception {
    Api.Reply reply = api.post("/api/jobs", "{\"type\":\"sum\",\"payload\":{\"numbers\":[2]},\"client\":\"chains\","
        + "\"then\":[{\"type\":\"sleep\",\"payload\":{\"seconds\":0.1,\"message\":\"pause\"}},"
        + "{\"type\":\"multiply\",\"payload\":{\"numbers\":[5]}}]}");
    assertEquals(202, reply.status(), reply.body());
    String id = reply.json().getString("id");
    String events = api.get("/api/jobs/" + id + "/events").body();
    assertTrue(events.contains("\"step\":2"), events);
    String last = events.lines().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElseThrow();
    JsonObject end = new JsonObject(last.substring("data: ".length()));
    assertEquals("completed", end.getString("status"), events);
  }

  private JsonObject runToEnd(String body) throws Exception {
    Api.Reply reply = api.post("/api/jobs", body);
    assertEquals(202, reply.status(), reply.body());
    String id = reply.json().getString("id");
    JsonObject[] view = new JsonObject[1];
    Poll.until(Duration.ofSeconds(20), "chain " + id + " to end", () -> {
      try {
        view[0] = api.get("/api/jobs/" + id + "?wait=5").json();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return !"running".equals(view[0].getString("status")) && !"queued".equals(view[0].getString("status"));
    });
    return view[0];
  }
}
