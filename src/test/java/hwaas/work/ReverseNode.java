package hwaas.work;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.TestConfigs;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real node (embedded Redis, its REST API) with no built-in worker and the example type {@code reverse} declared,
 * for the tests of external workers: its API, and the requests they all make.
 */
final class ReverseNode implements AutoCloseable {
  static final String TYPE = "reverse";
  final Node node;
  final Api api;
  private final Printer printer;

  private ReverseNode(Node node, Api api, Printer printer) {
    this.node = node;
    this.api = api;
    this.printer = printer;
  }

  /** @param tune changes to the settings of a node without workers and with a lease of 3 s */
  static ReverseNode start(String token, UnaryOperator<NodeSettings> tune) throws Exception {
    NodeSettings base = TestConfigs.withToken(TestConfigs.local(0, 0, 1), token);
    NodeSettings settings = tune.apply(base.withWorkers(base.workers().withCount(0))
        .withWork(base.work().withLease(Duration.ofSeconds(3))));
    Printer printer = new Printer(new Capture(), () -> { });
    Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
    ReverseNode started = new ReverseNode(node, new Api(node.httpPort(), token), printer);
    Api.Reply declared = started.api.put("/api/types/" + TYPE, Files.readString(Path.of("examples/reverse.schema.json")));
    assertEquals(200, declared.status(), declared.body());
    return started;
  }

  JsonObject request(String text, String client) {
    return new JsonObject().put("type", TYPE).put("payload", new JsonObject().put("text", text)).put("client", client);
  }

  String submit(String text, String client) throws Exception {
    Api.Reply reply = api.post("/api/jobs", request(text, client).encode());
    assertEquals(202, reply.status(), reply.body());
    return reply.json().getString("id");
  }

  JsonObject job(String id) {
    try {
      return api.get("/api/jobs/" + id).json();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next job offered, which must be {@code id}, within {@code seconds}. */
  JsonObject fetchOne(String id, int seconds) throws Exception {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    while (System.currentTimeMillis() < deadline) {
      for (Object o : api.post("/api/work/" + TYPE + "/fetch", "{\"max\":1,\"wait\":1}").json().getJsonArray("jobs")) {
        JsonObject leased = (JsonObject) o;
        assertEquals(id, leased.getString("id"), leased.encode());
        assertEquals(TYPE, leased.getString("type"));
        return leased;
      }
    }
    throw new AssertionError("job " + id + " not offered within " + seconds + " s");
  }

  /** Stops {@code node} if it started. */
  static void stop(ReverseNode node) {
    if (node != null) {
      node.close();
    }
  }

  @Override
  public void close() {
    node.stop();
    printer.close();
  }
}
