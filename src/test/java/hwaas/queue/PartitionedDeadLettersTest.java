package hwaas.queue;

import hwaas.redis.RedisSettings;
import hwaas.support.ConfigException;
import hwaas.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dead letters of three partitions read as one list, and the partition count a service keeps, against the real
 * Redis (a single one: a partition is only a key prefix, so its logic needs no cluster).
 */
@ExtendWith(VertxExtension.class)
class PartitionedDeadLettersTest {
  private static final DeadBulk.Filter ANY = new DeadBulk.Filter("", "", "");
  private final String tag = "{pdl-" + UUID.randomUUID().toString().substring(0, 8) + "}";
  private final Partitions partitions = Partitions.spread(tag, 3);
  private Redis redis;
  private PartitionedDeadLetters dead;

  @BeforeEach
  void redis(Vertx vertx) {
    redis = Redis.createClient(vertx, RedisSettings.defaults().withUrl(TestRedis.url()).options());
    dead = new PartitionedDeadLetters(redis, partitions, Duration.ofHours(1));
  }

  @AfterEach
  void close() {
    redis.close();
  }

  @Test
  @DisplayName("letters of three partitions list as one, oldest first, page by page across them; a tie in entry ids goes by partition")
  void listsAcrossPartitions() throws Exception {
    // Entry ids interleaved over the partitions, and one id in two of them.
    letter(0, "100-0", "a");
    letter(1, "150-0", "b");
    letter(2, "150-0", "c");
    letter(0, "200-0", "d");
    letter(2, "250-0", "e");
    letter(1, "300-0", "f");

    List<String> order = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      DeadLetters.Page page = await(dead.list(ANY, after, 2));
      page.letters().forEach(l -> {
        order.add(l.getJsonObject("job").getString("id"));
        ids.add(l.getString("deadId"));
      });
      after = page.next();
      pages++;
    } while (after != null && pages < 10);
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), order);
    assertEquals(List.of("100-0", "150-0.1", "150-0.2", "200-0", "250-0.2", "300-0.1"), ids);
    assertEquals(3, pages);

    DeadLetters.Page all = await(dead.list(ANY, null, 100));
    assertEquals(6, all.letters().size());
    assertNull(all.next(), "a page that holds the rest has no next");
    assertEquals(List.of("d"), await(dead.list(new DeadBulk.Filter("", "d", ""), null, 10)).letters().stream()
        .map(l -> l.getJsonObject("job").getString("id")).toList(), "a filter applies in every partition");
    assertEquals(6L, await(dead.apply(DeadBulk.Action.COUNT, ANY)));
  }

  @Test
  @DisplayName("a letter is deleted or requeued in its own partition, named by its dead id; another partition's id finds nothing")
  void actsInItsPartition() throws Exception {
    letter(0, "100-0", "a");
    letter(2, "100-0", "b");
    assertFalse(await(dead.delete("100-0.1")), "partition 1 has no such letter");
    assertTrue(await(dead.delete("100-0.2")));
    assertEquals(1L, len(partitions.get(0).dead()));
    assertEquals(0L, len(partitions.get(2).dead()));

    letter(1, "200-0", "c");
    String entry = await(dead.requeue("200-0.1"));
    assertTrue(entry != null && entry.matches("\\d+-\\d+"), String.valueOf(entry));
    assertEquals(1L, len(partitions.get(1).stream("print")), "requeued into its own partition's stream");
    assertEquals(0L, len(partitions.get(0).stream("print")));
    assertNull(await(dead.requeue("200-0.1")), "requeued once");
    assertNull(await(dead.requeue("1-0.7")), "a partition the service does not have");
    Throwable refused = assertThrows(CompletionException.class,
        () -> dead.list(ANY, "1-0.7", 10).toCompletionStage().toCompletableFuture().join());
    assertTrue(refused.getCause() instanceof IllegalArgumentException, refused.toString());
  }

  @Test
  @DisplayName("the partition count is the first node's: kept in Redis, taken by later nodes, a different one refused")
  void partitionCountIsKept() throws Exception {
    StreamKeys home = partitions.home();
    assertEquals(1, await(PartitionCount.kept(redis, home)), "none kept yet: one");
    assertEquals(3, await(PartitionCount.settle(redis, home, 3)));
    assertEquals(3, await(PartitionCount.settle(redis, home, 0)), "a node that asks for none takes the kept count");
    assertEquals(3, await(PartitionCount.settle(redis, home, 3)));
    Throwable refused = assertThrows(CompletionException.class,
        () -> PartitionCount.settle(redis, home, 2).toCompletionStage().toCompletableFuture().join());
    assertTrue(refused.getCause() instanceof ConfigException, refused.toString());
    assertTrue(refused.getCause().getMessage().contains("spread over 3 partitions"), refused.getCause().getMessage());
    assertEquals(3, await(PartitionCount.kept(redis, home)));
  }

  private void letter(int partition, String id, String jobId) throws Exception {
    JsonObject job = new JsonObject().put("id", jobId).put("type", "print").put("sentAt", 1)
        .put("payload", new JsonObject().put("message", "m"));
    await(redis.send(Request.cmd(Command.XADD).arg(partitions.get(partition).dead()).arg(id).arg("job").arg(job.encode())
        .arg("type").arg("print").arg("error").arg("boom " + jobId).arg("attempts").arg(3)));
  }

  private long len(String key) throws Exception {
    return await(redis.send(Request.cmd(Command.XLEN).arg(key))).toLong();
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.await(5, TimeUnit.SECONDS);
  }
}
