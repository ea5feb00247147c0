package hwaas.testing;

import hwaas.node.NodeSettings;
import hwaas.redis.RedisSettings;

import java.time.Duration;
import java.util.UUID;

/** Node settings for tests: the shared test Redis, fresh keys, a cluster of their own, any free HTTP port. */
public final class TestConfigs {
  private TestConfigs() {
  }

  public static NodeSettings local(int workers, int clients, double rate) {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    NodeSettings d = NodeSettings.defaults(workers, clients);
    return d.withRedis(RedisSettings.defaults().withUrl(TestRedis.url()))
        .withHttp(d.http().withPort(0))
        .withCluster(d.cluster().withName("test-" + unique))
        .withQueue(d.queue().withKeyPrefix("test-" + unique))
        .withWorkers(d.workers().withBlockTimeout(Duration.ofMillis(200)))
        .withClients(d.clients().withRate(rate));
  }

  /** The same settings with a known API token. */
  public static NodeSettings withToken(NodeSettings settings, String token) {
    return settings.withHttp(settings.http().withToken(token));
  }
}
