package hwaas.redis;

import hwaas.support.ConfigException;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentinelAddressTest {
  private static final URI URL = URI.create("redis-sentinel://:s3cret@10.0.0.1:26379,10.0.0.2,10.0.0.3:26380/hwaas");

  @Test
  @DisplayName("a sentinel URL gives sentinel options: every sentinel with the password, the master's name, auto-failover")
  void options() {
    RedisOptions options = RedisSettings.defaults().withUrl(URL).options();
    assertEquals(RedisClientType.SENTINEL, options.getType());
    assertEquals(List.of("redis://:s3cret@10.0.0.1:26379", "redis://:s3cret@10.0.0.2:26379", "redis://:s3cret@10.0.0.3:26380"),
        options.getEndpoints());
    assertEquals("hwaas", options.getMasterName());
    assertEquals(RedisRole.MASTER, options.getRole());
    assertTrue(options.isAutoFailover());
  }

  @Test
  @DisplayName("the password of a several-host URL is never shown, nor told to the cluster; a password file fills it in")
  void passwordStaysSecret() {
    RedisSettings settings = RedisSettings.defaults().withUrl(URL);
    assertFalse(settings.redacted().contains("s3cret"), settings.redacted());
    assertFalse(settings.toString().contains("s3cret"));
    assertEquals("redis-sentinel://10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26380/hwaas", RedisSettings.withoutPassword(URL).toString());
    RedisSettings fromFile = new RedisSettings(URI.create("redis-sentinel://10.0.0.1:26379/hwaas"), RedisSettings.defaultDataDir(),
        "everysec", "filepw", RedisSettings.DEFAULT_MAX_MEMORY, false, null);
    assertEquals(List.of("redis://:filepw@10.0.0.1:26379"), fromFile.options().getEndpoints());
  }

  @Test
  @DisplayName("a sentinel URL without a master name or a sentinel is refused with the expected form")
  void badUrls() {
    for (String bad : List.of("redis-sentinel://10.0.0.1:26379", "redis-sentinel://10.0.0.1:26379/", "redis-sentinel://:pw@/hwaas",
        "redis-sentinel://10.0.0.1:99999/hwaas", "redis-sentinel://10.0.0.1:1,/hwaas")) {
      ConfigException e = assertThrows(ConfigException.class, () -> RedisSettings.defaults().withUrl(URI.create(bad)), bad);
      assertTrue(e.getMessage().contains("redis-sentinel://[:password@]host:port[,host:port...]/MASTER_NAME"), e.getMessage());
      assertFalse(e.getMessage().contains(":pw@"), e.getMessage());
    }
  }
}
