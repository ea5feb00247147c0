package hwaas.node;

import hwaas.jobs.JobHandlers;
import hwaas.redis.EmbeddedRedis;
import hwaas.redis.RedisSettings;
import hwaas.redis.RedisStartException;
import hwaas.support.Printer;
import hwaas.testing.Capture;
import hwaas.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Memory is bounded by design: the embedded Redis has a limit and evicts nothing; an evicting Redis is refused. */
class MemoryBoundsTest {
  private final Path dir = Path.of("target", "memory-bounds", UUID.randomUUID().toString());

  @Test
  @DisplayName("the embedded Redis runs with --redis-maxmemory and noeviction")
  void embeddedRedisIsBounded() throws Exception {
    NodeSettings local = TestConfigs.local(0, 0, 1);
    NodeSettings settings = local.withRedis(new RedisSettings(null, dir.resolve("data"), "everysec", null, "64mb", false, null));
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        assertEquals("67108864", config(node.settings().redis(), "maxmemory"));
        assertEquals("noeviction", config(node.settings().redis(), "maxmemory-policy"));
      } finally {
        node.stop();
      }
    }
  }

  @Test
  @DisplayName("an external Redis that evicts keys is refused with what to do, unless --allow-eviction")
  void evictingRedisIsRefused() throws Exception {
    try (EmbeddedRedis external = EmbeddedRedis.start(dir.resolve("external"), "everysec");
         Printer printer = new Printer(new Capture(), () -> { })) {
      RedisSettings evicting = RedisSettings.defaults().withUrl(external.url());
      set(evicting, "maxmemory-policy", "allkeys-lru");
      NodeSettings settings = TestConfigs.local(0, 0, 1).withRedis(evicting);

      RedisStartException refused = assertThrows(RedisStartException.class,
          () -> Node.start(settings, JobHandlers.standard(printer, settings.limits())));
      assertTrue(refused.getMessage().contains("maxmemory-policy allkeys-lru") && refused.getMessage().contains("--allow-eviction"),
          refused.getMessage());

      NodeSettings allowed = settings.withRedis(new RedisSettings(external.url(), evicting.dataDir(), "everysec", null,
          RedisSettings.DEFAULT_MAX_MEMORY, true, null));
      Node node = Node.start(allowed, JobHandlers.standard(printer, allowed.limits()));
      node.stop();
    }
  }

  private static String config(RedisSettings redis, String name) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Redis client = Redis.createClient(vertx, redis.options());
      return client.send(Request.cmd(Command.CONFIG).arg("GET").arg(name)).await(5, TimeUnit.SECONDS).get(1).toString();
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static void set(RedisSettings redis, String name, String value) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Redis.createClient(vertx, redis.options()).send(Request.cmd(Command.CONFIG).arg("SET").arg(name).arg(value))
          .await(5, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }
}
