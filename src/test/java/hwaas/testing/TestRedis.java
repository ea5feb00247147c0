package hwaas.testing;

import hwaas.redis.EmbeddedRedis;

import java.net.URI;
import java.nio.file.Path;

/**
 * One real embedded redis-server for the whole test JVM, started on first use and stopped when the JVM
 * exits. Tests keep out of each other's way with a random key prefix each ({@link TestConfigs}).
 */
public final class TestRedis {
  private static EmbeddedRedis redis;

  private TestRedis() {
  }

  public static synchronized URI url() {
    if (redis == null) {
      redis = EmbeddedRedis.start(Path.of("target", "test-redis", java.util.UUID.randomUUID().toString()), "everysec");
      Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "test-redis-stop"));
    }
    return redis.url();
  }
}
