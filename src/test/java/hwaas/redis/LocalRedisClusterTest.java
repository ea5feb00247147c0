package hwaas.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real three-primary Redis Cluster from the embedded binary, and the facts about it that HWaaS's Redis Cluster
 * support (issue 18) is to be built on: Vert.x's cluster client spreads keys over the primaries and follows them to
 * their slots; keys under one hash tag share a primary; a Lua script is routed by its declared keys only, and may
 * then touch undeclared keys of the same slot, while one declaring none fails on a node that does not hold its keys.
 */
class LocalRedisClusterTest {
  private final Path dir = Path.of("target", "redis-cluster", UUID.randomUUID().toString().substring(0, 8));

  @Test
  @DisplayName("three primaries formed through CLUSTER ADDSLOTSRANGE and MEET: keys spread over all three through Vert.x's "
      + "cluster client, a hash tag keeps keys on one primary, and scripts route by their declared keys")
  void threePrimaries() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (LocalRedisCluster cluster = LocalRedisCluster.start(dir, 3)) {
      RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
      cluster.urls().forEach(url -> options.addConnectionString(url.toString()));
      Redis redis = Redis.createClient(vertx, options);

      int keys = 300;
      for (int i = 0; i < keys; i++) {
        redis.send(Request.cmd(Command.SET).arg("key:" + i).arg(i)).await(10, TimeUnit.SECONDS);
      }
      for (int i = 0; i < keys; i++) {
        assertEquals(Integer.toString(i), redis.send(Request.cmd(Command.GET).arg("key:" + i)).await(10, TimeUnit.SECONDS).toString());
      }
      long total = 0;
      for (int port : cluster.ports()) {
        long held = (Long) cluster.ask(port, "DBSIZE");
        assertTrue(held > 0, "the primary on " + port + " holds none of the " + keys + " keys");
        total += held;
      }
      assertEquals(keys, total);

      Set<Long> slots = new HashSet<>();
      for (String key : List.of("{hwaas}:jobs:print", "{hwaas}:job:api-1", "{hwaas}:idx:all", "{hwaas}:scheduled")) {
        slots.add(cluster.keySlot(key));
      }
      assertEquals(1, slots.size(), "keys under one hash tag in more than one slot: " + slots);

      // Declared: routed to the tag's primary, where it may also write an undeclared key of the same slot.
      String script = "redis.call('SET', '{hwaas}:undeclared', 'x'); return redis.call('INCR', KEYS[1])";
      assertEquals(1, redis.send(Request.cmd(Command.EVAL).arg(script).arg(1).arg("{hwaas}:counter")).await(10, TimeUnit.SECONDS).toInteger());
      assertEquals("x", redis.send(Request.cmd(Command.GET).arg("{hwaas}:undeclared")).await(10, TimeUnit.SECONDS).toString());
      // Declaring none, sent to a primary that does not hold the tag: refused, not redirected.
      int owner = cluster.portOf("{hwaas}:counter");
      int other = cluster.ports().stream().filter(p -> p != owner).findFirst().orElseThrow();
      Exception refused = assertThrows(java.io.IOException.class,
          () -> cluster.ask(other, "EVAL", "return redis.call('INCR', '{hwaas}:counter')", "0"));
      assertTrue(refused.getMessage().contains("non local key"), refused.getMessage());
      redis.close();
    } finally {
      vertx.close().await();
    }
  }
}
