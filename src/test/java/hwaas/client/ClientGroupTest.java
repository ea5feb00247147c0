package hwaas.client;

import hwaas.node.NodeSettings;
import hwaas.support.NodeOutages;
import hwaas.jobs.JobContract;
import hwaas.queue.QueueVerticle;
import hwaas.stats.NodeCounters;
import hwaas.testing.Poll;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import hwaas.support.AuditTrail;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ClientGroupTest {

  @Test
  @DisplayName("a group whose first reply is lost resends the same batch, and the stream holds each job once")
  void lostReplyIsResentWithoutDuplicate(Vertx vertx) throws Exception {
    NodeSettings local = TestConfigs.local(0, 1, 5);
    NodeSettings config = local.withQueue(local.queue().withSubmitTimeout(Duration.ofMillis(300)));
    NodeCounters counters = new NodeCounters();
    AtomicBoolean dropped = new AtomicBoolean();
    // The queue writes the batch to Redis and replies; the reply never reaches the client.
    vertx.eventBus().addInboundInterceptor(delivery -> {
      boolean isReply = delivery.message().address().startsWith("__vertx.reply");
      if (isReply && dropped.compareAndSet(false, true)) {
        return;
      }
      delivery.next();
    });
    vertx.deployVerticle(new QueueVerticle(config.redis(), config.queue(), JobContract.standard())).await(10, TimeUnit.SECONDS);
    String group = vertx.deployVerticle(new ClientGroup(config.clients(), config.queue(), "g0", "retry-c", 0, 1, counters, AuditTrail.NONE,
        NodeOutages.create())).await(10, TimeUnit.SECONDS);

    Poll.until(Duration.ofSeconds(10), "a resend and then three confirmed jobs",
        () -> counters.retried.sum() >= 1 && counters.submitted.sum() >= 3);
    vertx.undeploy(group).await(10, TimeUnit.SECONDS);

    try (RedisProbe probe = new RedisProbe(config)) {
      List<String> ids = probe.jobIdsInStream();
      assertTrue(dropped.get());
      assertEquals(new HashSet<>(ids).size(), ids.size(), "a job is in the stream twice: " + ids);
      assertEquals(counters.submitted.sum(), ids.size());
      assertEquals("retry-c0:0", ids.get(0));
      assertEquals(0, counters.unconfirmed.sum());
    }
  }

  @Test
  @DisplayName("clients of a group each send their own numbered jobs at the rate, none skipped")
  void eachClientNumbersItsJobs(Vertx vertx) throws Exception {
    NodeSettings config = TestConfigs.local(0, 3, 20);
    NodeCounters counters = new NodeCounters();
    vertx.deployVerticle(new QueueVerticle(config.redis(), config.queue(), JobContract.standard())).await(10, TimeUnit.SECONDS);
    String group = vertx.deployVerticle(new ClientGroup(config.clients(), config.queue(), "g0", "n-c", 5, 3, counters, AuditTrail.NONE,
        NodeOutages.create())).await(10, TimeUnit.SECONDS);
    Thread.sleep(1_000);
    vertx.undeploy(group).await(10, TimeUnit.SECONDS);

    try (RedisProbe probe = new RedisProbe(config)) {
      Map<String, Integer> perClient = new HashMap<>();
      for (String id : probe.jobIdsInStream()) {
        String client = id.substring(0, id.lastIndexOf(':'));
        int seq = Integer.parseInt(id.substring(id.lastIndexOf(':') + 1));
        assertEquals(perClient.getOrDefault(client, 0), seq, "jobs of " + client + " out of order or skipped at " + id);
        perClient.merge(client, 1, Integer::sum);
      }
      assertEquals(Set.of("n-c5", "n-c6", "n-c7"), perClient.keySet());
      // 3 clients at 20/s for about a second: about 60 jobs.
      long total = counters.submitted.sum();
      assertTrue(total >= 45 && total <= 75, "expected about 60 jobs in a second, got " + total);
    }
  }

  @Test
  @DisplayName("clients split into groups of sizes that differ by one at most")
  void groupSizes() {
    assertEquals(List.of(1), ClientGroup.sizes(1, 4));
    assertEquals(List.of(3, 3, 2, 2), ClientGroup.sizes(10, 4));
    assertEquals(List.of(25_000, 25_000, 25_000, 25_000), ClientGroup.sizes(100_000, 4));
  }
}
