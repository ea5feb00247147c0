package hwaas.redis;

import hwaas.node.NodeSettings;
import hwaas.queue.QueueSettings;
import hwaas.support.ConfigException;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterAddressTest {
  private static final URI URL = URI.create("redis-cluster://:s3cret@10.0.0.1:7000,10.0.0.2,10.0.0.3:7002");

  @Test
  @DisplayName("a cluster URL gives cluster options: every node with the password, reads from primaries only")
  void options() {
    RedisOptions options = RedisSettings.defaults().withUrl(URL).options();
    assertEquals(RedisClientType.CLUSTER, options.getType());
    assertEquals(List.of("redis://:s3cret@10.0.0.1:7000", "redis://:s3cret@10.0.0.2:6379", "redis://:s3cret@10.0.0.3:7002"),
        options.getEndpoints());
    assertEquals(RedisReplicas.NEVER, options.getUseReplicas());
  }

  @Test
  @DisplayName("its password is never shown, nor told to the cluster of nodes; a password file fills it in")
  void passwordStaysSecret() {
    RedisSettings settings = RedisSettings.defaults().withUrl(URL);
    assertFalse(settings.redacted().contains("s3cret"), settings.redacted());
    assertEquals("redis-cluster://10.0.0.1:7000,10.0.0.2:6379,10.0.0.3:7002", RedisSettings.withoutPassword(URL).toString());
    RedisSettings fromFile = new RedisSettings(URI.create("redis-cluster://10.0.0.1:7000"), RedisSettings.defaultDataDir(),
        "everysec", "filepw", RedisSettings.DEFAULT_MAX_MEMORY, false, null);
    assertEquals(List.of("redis://:filepw@10.0.0.1:7000"), fromFile.options().getEndpoints());
  }

  @Test
  @DisplayName("a cluster URL without a node, with a bad port or with a path is refused with the expected form")
  void badUrls() {
    for (String bad : List.of("redis-cluster://:pw@", "redis-cluster://10.0.0.1:99999", "redis-cluster://10.0.0.1:1,",
        "redis-cluster://:pw@10.0.0.1:7000/0")) {
      ConfigException e = assertThrows(ConfigException.class, () -> RedisSettings.defaults().withUrl(URI.create(bad)), bad);
      assertTrue(e.getMessage().contains("redis-cluster://[:password@]host:port[,host:port...]"), e.getMessage());
      assertFalse(e.getMessage().contains(":pw@"), e.getMessage());
    }
  }

  @Test
  @DisplayName("on a cluster every key goes under the prefix as one hash tag, and --redis-replicas is taken; elsewhere "
      + "the keys keep their names")
  void keysAndReplicas() {
    NodeSettings plain = NodeSettings.defaults(1, 0);
    assertEquals("hwaas:jobs:print", plain.queue().keys().stream("print"));
    NodeSettings onCluster = plain.withRedis(plain.redis().withUrl(URL));
    assertEquals("{hwaas}:jobs:print", onCluster.queue().keys().stream("print"));
    assertEquals("{hwaas}:job:api-1", onCluster.queue().keys().record("api-1"));
    assertEquals("hwaas:jobs:print", onCluster.withRedis(plain.redis().withUrl(URI.create("redis://127.0.0.1:6379")))
        .queue().keys().stream("print"));

    QueueSettings twoReplicas = new QueueSettings("hwaas", java.time.Duration.ofSeconds(120), java.time.Duration.ofHours(1),
        java.time.Duration.ofSeconds(5), 100, 100, java.time.Duration.ofDays(1), 2);
    assertEquals(2, plain.withQueue(twoReplicas).withRedis(plain.redis().withUrl(URL)).queue().redisReplicas());
  }

  @Test
  @DisplayName("a plain connection to one node of the cluster carries the cluster's password, and shows none")
  void nodeOptions() {
    RedisSettings settings = NodeSettings.defaults(1, 0).redis().withUrl(URI.create("redis-cluster://:s3cret@127.0.0.1:7000,127.0.0.1:7001"));
    assertEquals("redis://:s3cret@127.0.0.1:7005", settings.nodeOptions("127.0.0.1", 7005).getEndpoint());
    assertFalse(settings.redacted().contains("s3cret"));
  }
}
