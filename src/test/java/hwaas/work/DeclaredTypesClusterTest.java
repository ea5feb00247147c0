package hwaas.work;

import hwaas.jobs.JobHandlers;
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

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A type declared on one node of a cluster is seen by the other: submitted, fetched and completed there. */
class DeclaredTypesClusterTest {
  private static final String TOKEN = "declared-types-cluster-token";
  private static final Printer PRINTER = new Printer(new Capture(), () -> { });
  private static Node a;
  private static Node b;

  @BeforeAll
  static void startNodes() {
    NodeSettings base = TestConfigs.withToken(TestConfigs.local(0, 0, 1), TOKEN);
    NodeSettings settings = base.withWorkers(base.workers().withCount(0));
    a = Node.start(settings, JobHandlers.standard(PRINTER, settings.limits()));
    b = Node.start(settings, JobHandlers.standard(PRINTER, settings.limits()));
  }

  @AfterAll
  static void stopNodes() {
    if (b != null) {
      b.stop();
    }
    if (a != null) {
      a.stop();
    }
    PRINTER.close();
  }

  @Test
  @DisplayName("declared on node A, a type's jobs are submitted, fetched and completed on node B")
  void declaredOnOneNodeWorkedOnAnother() throws Exception {
    Api apiA = new Api(a.httpPort(), TOKEN);
    Api apiB = new Api(b.httpPort(), TOKEN);
    Api.Reply declared = apiA.put("/api/types/upper", "{\"type\":\"object\",\"required\":[\"s\"],\"properties\":{\"s\":{\"type\":\"string\"}}}");
    assertEquals(200, declared.status(), declared.body());
    String body = "{\"type\":\"upper\",\"payload\":{\"s\":\"abc\"},\"client\":\"cluster\"}";
    Poll.until(Duration.ofSeconds(5), "node B to know the declared type", () -> {
      try {
        return apiB.post("/api/work/upper/fetch", "{\"max\":1}").status() == 200;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(400, apiB.post("/api/jobs", "{\"type\":\"upper\",\"payload\":{\"s\":1},\"client\":\"cluster\"}").status());
    Api.Reply submitted = apiB.post("/api/jobs", body);
    assertEquals(202, submitted.status(), submitted.body());
    String id = submitted.json().getString("id");
    JsonArray jobs = apiB.post("/api/work/upper/fetch", "{\"max\":1,\"wait\":5}").json().getJsonArray("jobs");
    assertEquals(1, jobs.size(), jobs.encode());
    JsonObject job = jobs.getJsonObject(0);
    assertEquals(id, job.getString("id"));
    Api.Reply done = apiB.post("/api/work/" + job.getString("lease") + "/complete", "{\"result\":{\"s\":\"ABC\"}}");
    assertEquals(200, done.status(), done.body());
    JsonObject record = apiA.get("/api/jobs/" + id).json();
    assertEquals("completed", record.getString("status"), record.encode());
    assertEquals("ABC", record.getJsonObject("result").getString("s"));
  }
}
