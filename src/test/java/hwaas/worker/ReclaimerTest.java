package hwaas.worker;

import hwaas.jobs.Job;
import hwaas.jobs.JobBatch;
import hwaas.node.NodeSettings;
import hwaas.chain.ChainScripts;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import hwaas.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Recovery against the real Redis: what a reclaimer finds in a long pending list. */
@ExtendWith(VertxExtension.class)
class ReclaimerTest {

  @Test
  @DisplayName("a dead consumer's entries are claimed even behind more than a page of entries waiting out long back-offs")
  void seesThePendingListWhole(Vertx vertx) throws Exception {
    NodeSettings settings = TestConfigs.local(0, 0, 1);
    StreamKeys keys = settings.queue().keys();
    String stream = keys.stream(Job.PRINT);
    Redis redis = Redis.createClient(vertx, settings.redis().options());
    try {
      StreamGroup.ensure(redis, stream).await(5, TimeUnit.SECONDS);
      for (int i = 0; i < 130; i++) {
        String batch = JobBatch.of(Job.print("c", i, 1, "hello")).toJson().encode();
        send(redis, Request.cmd(Command.XADD).arg(stream).arg("*").arg("jobs").arg("[" + batch + "]"));
      }
      // 120 entries of a live worker whose last attempts failed: 30 deliveries, so their back-off is a minute off.
      List<String> waiting = read(redis, stream, "busy", 120);
      Request retried = Request.cmd(Command.XCLAIM).arg(stream).arg(StreamKeys.GROUP).arg("busy").arg(0);
      waiting.forEach(retried::arg);
      send(redis, retried.arg("RETRYCOUNT").arg(30).arg("JUSTID"));
      Request errors = Request.cmd(Command.HSET).arg(keys.errors(Job.PRINT));
      waiting.forEach(id -> errors.arg(id).arg("failed"));
      send(redis, errors);
      // 10 entries of a worker that was killed: silent past the visibility timeout.
      List<String> orphaned = read(redis, stream, "dead", 10);
      Request silent = Request.cmd(Command.XCLAIM).arg(stream).arg(StreamKeys.GROUP).arg("dead").arg(0);
      orphaned.forEach(silent::arg);
      send(redis, silent.arg("IDLE").arg(10_000).arg("JUSTID"));
      Thread.sleep(150); // past the reclaimer's minimum idle time

      Reclaimer reclaimer = new Reclaimer(redis, keys, new ChainScripts(keys, Duration.ofMinutes(1)), Job.PRINT, Job.PRINT, "alive",
          Duration.ofSeconds(1), Duration.ofMillis(100), 50, 1_000, (job, attempts, error) -> { });
      List<Entry> claimed = reclaimer.claimDue().await(10, TimeUnit.SECONDS);

      assertEquals(orphaned, claimed.stream().map(Entry::entryId).toList());
      for (String id : orphaned) {
        assertEquals("alive", send(redis, Request.cmd(Command.XPENDING).arg(stream).arg(StreamKeys.GROUP).arg(id).arg(id).arg(1))
            .get(0).get(1).toString());
      }
    } finally {
      redis.close();
    }
  }

  private static List<String> read(Redis redis, String stream, String consumer, int count) throws Exception {
    Response reply = send(redis, Request.cmd(Command.XREADGROUP).arg("GROUP").arg(StreamKeys.GROUP).arg(consumer)
        .arg("COUNT").arg(count).arg("STREAMS").arg(stream).arg(">"));
    return reply.get(0).get(1).stream().map(e -> e.get(0).toString()).toList();
  }

  private static Response send(Redis redis, Request request) throws Exception {
    return redis.send(request).await(5, TimeUnit.SECONDS);
  }
}
