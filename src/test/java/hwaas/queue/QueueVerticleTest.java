package hwaas.queue;

import hwaas.jobs.Job;
import hwaas.jobs.JobContract;
import hwaas.jobs.JobBatch;

import hwaas.node.NodeSettings;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class QueueVerticleTest {
  private NodeSettings config;
  private RedisProbe probe;

  @BeforeEach
  void deployQueue(Vertx vertx) throws Exception {
    config = TestConfigs.local(0, 0, 1);
    probe = new RedisProbe(config);
    vertx.deployVerticle(new QueueVerticle(config.redis(), config.queue(), JobContract.standard())).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeProbe() {
    probe.close();
  }

  @Test
  @DisplayName("a batch submitted twice with the same key gets the same entry id and one stream entry")
  void resubmissionIsIdempotent(Vertx vertx) throws Exception {
    String batch = batch("g1:0", 0, 3).toJson().encode();

    String first = submit(vertx, batch);
    String second = submit(vertx, batch);

    assertEquals(first, second);
    assertEquals(1, probe.streamLength());
    assertEquals(List.of("c1:0", "c1:1", "c1:2"), probe.jobIdsInStream());
  }

  @Test
  @DisplayName("the same key twice in one write (a resend racing its original) makes one entry, and both get its id")
  void sameKeyTwiceInOneWrite(Vertx vertx) throws Exception {
    String batch = batch("g1:0", 0, 2).toJson().encode();

    // Sent back to back, both arrive before the queue's write goes out.
    Future<String> first = vertx.eventBus().<JsonObject>request(QueueAddresses.SUBMIT, batch).map(m -> m.body().getString("entryId"));
    Future<String> second = vertx.eventBus().<JsonObject>request(QueueAddresses.SUBMIT, batch).map(m -> m.body().getString("entryId"));

    assertEquals(first.await(5, TimeUnit.SECONDS), second.await(5, TimeUnit.SECONDS));
    assertEquals(List.of("c1:0", "c1:1"), probe.jobIdsInStream());
  }

  @Test
  @DisplayName("submissions that arrive together are coalesced into fewer entries, every job kept, in order")
  void submissionsAreCoalesced(Vertx vertx) throws Exception {
    List<Future<?>> replies = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      replies.add(vertx.eventBus().request(QueueAddresses.SUBMIT,
          JobBatch.of(Job.print("c1", i, System.currentTimeMillis(), "hello, world!")).toJson().encode()));
    }
    Future.all(replies).await(10, TimeUnit.SECONDS);

    List<String> ids = probe.jobIdsInStream();
    assertEquals(500, ids.size());
    for (int i = 0; i < 500; i++) {
      assertEquals("c1:" + i, ids.get(i));
    }
    long entries = probe.streamLength();
    assertTrue(entries < 500, "500 submissions sent together should share entries, got " + entries + " entries");
  }

  @Test
  @DisplayName("a job batch of an unknown type is refused with code 400 and adds nothing")
  void unknownTypeIsRefused(Vertx vertx) throws Exception {
    String bad = batch("g1:0", 0, 1).toJson().put("type", "juggle").encode();

    ReplyException error = assertThrows(ReplyException.class, () -> submit(vertx, bad));

    assertEquals(QueueFailure.BAD_JOB.code, error.failureCode());
    assertTrue(error.getMessage().contains("unknown job type 'juggle'"), error.getMessage());
    assertEquals(0, probe.streamLength());
  }

  @Test
  @DisplayName("a payload the contract does not allow is refused with code 400, naming the field, and adds nothing")
  void payloadOutsideTheContractIsRefused(Vertx vertx) throws Exception {
    JsonObject good = batch("g1:0", 0, 1).toJson();
    List<JsonObject> bad = List.of(
        good.copy().put("payload", new JsonObject().put("message", "two\nlines")),
        good.copy().put("payload", new JsonObject().put("message", "")),
        good.copy().put("payload", new JsonObject().put("message", "hi").put("extra", 1)),
        good.copy().put("type", "sum").put("payload", new JsonObject().put("numbers", List.of("1", "2"))),
        good.copy().put("type", "sleep").put("payload", new JsonObject().put("seconds", 61).put("message", "late")));
    for (JsonObject body : bad) {
      ReplyException error = assertThrows(ReplyException.class, () -> submit(vertx, body.encode()));
      assertEquals(QueueFailure.BAD_JOB.code, error.failureCode(), body.encode());
      assertTrue(error.getMessage().startsWith(body.getString("type") + " payload"), error.getMessage());
    }
    assertEquals(0, probe.streamLength());
  }

  @Test
  @DisplayName("malformed submissions are refused with code 400, saying what is wrong, and add nothing")
  void badBatchIsRefused(Vertx vertx) throws Exception {
    JsonObject good = batch("g1:0", 0, 1).toJson();
    List<String> bad = List.of(
        good.copy().put("ids", List.of(42)).encode(),
        good.copy().put("ids", List.of()).encode(),
        good.copy().put("sentAt", "yesterday").encode(),
        good.copy().put("key", "").encode(),
        "not json at all");
    for (String body : bad) {
      ReplyException error = assertThrows(ReplyException.class, () -> submit(vertx, body));
      assertEquals(QueueFailure.BAD_JOB.code, error.failureCode(), body);
      assertTrue(error.getMessage().contains("ids") || error.getMessage().contains("sentAt") || error.getMessage().contains("key")
          || error.getMessage().contains("JSON") || error.getMessage().contains("json"), error.getMessage());
    }
    assertEquals(0, probe.streamLength());
  }

  private static JobBatch batch(String key, int firstSeq, int jobs) {
    List<String> ids = new ArrayList<>();
    for (int i = firstSeq; i < firstSeq + jobs; i++) {
      ids.add(Job.id("c1", i));
    }
    return new JobBatch(key, Job.PRINT, System.currentTimeMillis(), new JsonObject().put("message", "hello, world!"), false, ids);
  }

  private static String submit(Vertx vertx, String batch) throws Exception {
    return vertx.eventBus().<JsonObject>request(QueueAddresses.SUBMIT, batch)
        .await(5, TimeUnit.SECONDS).body().getString("entryId");
  }
}
