package hwaas.client;

import hwaas.config.HwaasConfig;
import hwaas.queue.QueueVerticle;
import hwaas.stats.NodeCounters;
import hwaas.testing.Poll;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ClientVerticleTest {

  @Test
  @DisplayName("a client whose first reply is lost retries the same job, and the stream holds it once")
  void lostReplyIsRetriedWithoutDuplicate(Vertx vertx) throws Exception {
    HwaasConfig config = TestConfigs.local(0, 1, 5).withSubmitTimeout(Duration.ofMillis(300));
    NodeCounters counters = new NodeCounters();
    AtomicBoolean dropped = new AtomicBoolean();
    // The queue writes the job to Redis and replies; the reply never reaches the client.
    vertx.eventBus().addInboundInterceptor(delivery -> {
      boolean isReply = delivery.message().address().startsWith("__vertx.reply");
      if (isReply && dropped.compareAndSet(false, true)) {
        return;
      }
      delivery.next();
    });
    vertx.deployVerticle(new QueueVerticle(config, java.util.Set.of(hwaas.queue.Job.PRINT))).await(10, TimeUnit.SECONDS);
    String client = vertx.deployVerticle(new ClientVerticle(config, "retry-client", counters, hwaas.worker.AuditTrail.NONE, hwaas.node.NodeOutages.create())).await(10, TimeUnit.SECONDS);

    Poll.until(Duration.ofSeconds(10), "a retry and then three confirmed jobs",
        () -> counters.retried.sum() >= 1 && counters.submitted.sum() >= 3);
    vertx.undeploy(client).await(10, TimeUnit.SECONDS);

    try (RedisProbe probe = new RedisProbe(config)) {
      List<String> ids = probe.jobIdsInStream();
      assertTrue(dropped.get());
      assertEquals(new HashSet<>(ids).size(), ids.size(), "a job is in the stream twice: " + ids);
      assertEquals(counters.submitted.sum(), ids.size());
      assertEquals("retry-client:0", ids.get(0));
      assertEquals(0, counters.unconfirmed.sum());
    }
  }
}
