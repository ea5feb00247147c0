package hwaas.testing;

import hwaas.config.HwaasConfig;

import java.time.Duration;
import java.util.UUID;

/** Node configurations for tests: the shared test Redis, fresh keys, a cluster of their own, any free HTTP port. */
public final class TestConfigs {
  private TestConfigs() {
  }

  public static HwaasConfig local(int workers, int clients, double rate) {
    String unique = UUID.randomUUID().toString().substring(0, 8);
    return HwaasConfig.defaults(workers, clients).toBuilder()
        .rate(rate).redisUrl(TestRedis.url()).httpPort(0).clusterName("test-" + unique).keyPrefix("test-" + unique)
        .blockTimeout(Duration.ofMillis(200))
        .build();
  }
}
