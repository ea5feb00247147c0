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
    HwaasConfig d = HwaasConfig.defaults(workers, clients);
    return new HwaasConfig(workers, clients, rate, d.message(), TestRedis.url(), d.httpHost(), 0, null, "info",
        "test-" + unique, d.clusterHost(), d.members(), "test-" + unique, d.batchSize(), Duration.ofMillis(200),
        d.submitTimeout(), d.idempotencyTtl());
  }
}
