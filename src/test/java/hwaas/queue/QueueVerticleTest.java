package hwaas.queue;

import hwaas.config.HwaasConfig;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class QueueVerticleTest {
  private HwaasConfig config;
  private RedisProbe probe;

  @BeforeEach
  void deployQueue(Vertx vertx) throws Exception {
    config = TestConfigs.local(0, 0, 1);
    probe = new RedisProbe(config);
    vertx.deployVerticle(new QueueVerticle(config, java.util.Set.of(Job.PRINT))).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeProbe() {
    probe.close();
  }

  @Test
  @DisplayName("a job submitted twice with the same id gets the same entry id and one stream entry")
  void resubmissionIsIdempotent(Vertx vertx) throws Exception {
    JsonObject job = Job.print("c1", 0, System.currentTimeMillis(), "hello, world!").toJson();

    String first = submit(vertx, job);
    String second = submit(vertx, job);

    assertEquals(first, second);
    assertEquals(1, probe.streamLength());
  }

  @Test
  @DisplayName("jobs submitted together are all appended, in order, each with its own entry")
  void batchOfJobs(Vertx vertx) throws Exception {
    var replies = new java.util.ArrayList<io.vertx.core.Future<?>>();
    for (int i = 0; i < 500; i++) {
      replies.add(vertx.eventBus().request(QueueAddresses.SUBMIT,
          Job.print("c1", i, System.currentTimeMillis(), "hello, world!").toJson()));
    }
    io.vertx.core.Future.all(replies).await(10, TimeUnit.SECONDS);

    var ids = probe.jobIdsInStream();
    assertEquals(500, ids.size());
    assertEquals("c1:0", ids.get(0));
    assertEquals("c1:499", ids.get(499));
  }

  @Test
  @DisplayName("a job of an unknown type is refused with code 400 and adds nothing")
  void unknownTypeIsRefused(Vertx vertx) throws Exception {
    JsonObject bad = Job.print("c1", 0, 1, "x").toJson().put("type", "juggle");

    ReplyException error = assertThrows(ReplyException.class, () -> submit(vertx, bad));

    assertEquals(QueueFailure.BAD_JOB.code, error.failureCode());
    assertTrue(error.getMessage().contains("unknown job type 'juggle'"), error.getMessage());
    assertEquals(0, probe.streamLength());
  }

  @Test
  @DisplayName("a malformed job is refused with code 400 and adds nothing")
  void badJobIsRefused(Vertx vertx) throws Exception {
    JsonObject bad = Job.print("c1", 0, 1, "x").toJson().put("id", 42);

    ReplyException error = assertThrows(ReplyException.class, () -> submit(vertx, bad));

    assertEquals(QueueFailure.BAD_JOB.code, error.failureCode());
    assertTrue(error.getMessage().contains("'id'") || error.getMessage().contains("wrong type"), error.getMessage());
    assertEquals(0, probe.streamLength());
  }

  private static String submit(Vertx vertx, JsonObject job) throws Exception {
    return vertx.eventBus().<JsonObject>request(QueueAddresses.SUBMIT, job)
        .await(5, TimeUnit.SECONDS).body().getString("entryId");
  }
}
