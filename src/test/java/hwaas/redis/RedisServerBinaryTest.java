package hwaas.redis;

import hwaas.support.ConfigException;
import hwaas.testing.RawRedis;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --redis-server: a redis-server of the machine's runs the embedded Redis; anything else is refused before a start. */
class RedisServerBinaryTest {
  private final Path root = Path.of("target", "redis-server-binary-test", UUID.randomUUID().toString()).toAbsolutePath();

  @Test
  @DisplayName("a redis-server laid out as Debian's (a link named redis-server to redis-check-rdb) runs the embedded Redis")
  void machineBinaryRuns() throws Exception {
    Path dir = Files.createDirectories(root.resolve("usr-bin"));
    Path real = dir.resolve("redis-check-rdb");
    Files.copy(EmbeddedRedis.binary(), real);
    Path link = Files.createSymbolicLink(dir.resolve("redis-server"), real);

    try (EmbeddedRedis redis = EmbeddedRedis.start(root.resolve("data"), "everysec", "64mb", link)) {
      String executable = ProcessHandle.of(redis.pid()).orElseThrow().info().command().orElseThrow();
      assertEquals(real.toRealPath().toString(), executable, "the machine's binary runs, not the jar's");
      assertTrue(EmbeddedRedis.isRedisBinary(executable), "a node killed meanwhile would know it for its orphan");
      String password = redis.url().getUserInfo().substring(1);
      assertEquals("+OK", RawRedis.say(redis.url().getPort(), "AUTH " + password));
    }
    assertFalse(EmbeddedRedis.isRedisBinary("/usr/bin/python3"));
    assertTrue(EmbeddedRedis.isRedisBinary(EmbeddedRedis.binary().toString()));
  }

  @Test
  @DisplayName("a missing file, a file that is not a redis-server, and a Redis before 7.0 are refused, and nothing is created")
  void badBinariesAreRefused() throws Exception {
    Path dir = Files.createDirectories(root.resolve("bad"));
    Path data = root.resolve("untouched");
    assertRefused(dir.resolve("no-such-redis-server"), data, "not an executable file");

    Path plain = Files.writeString(dir.resolve("plain"), "not a program");
    assertRefused(plain, data, "not an executable file");

    Path other = script(dir.resolve("other"), "printf '\\033[31mPython 3.11.7\\n'");
    assertRefused(other, data, "not a redis-server (its --version printed '?[31mPython 3.11.7')");

    Path old = script(dir.resolve("old"), "echo 'Redis server v=6.2.6 sha=00000000:0 malloc=jemalloc-5.1.0 bits=64'");
    assertRefused(old, data, "Redis 6.2.6 is too old");

    Path silent = script(dir.resolve("silent"), "exec sleep 30");
    assertRefused(silent, data, "its --version did not answer within 5 s");
  }

  private static void assertRefused(Path binary, Path data, String why) {
    ConfigException refused = assertThrows(ConfigException.class,
        () -> EmbeddedRedis.start(data, "everysec", "64mb", binary).close());
    assertTrue(refused.getMessage().startsWith("--redis-server " + binary + ": " + why), refused.getMessage());
    assertTrue(refused.getMessage().contains("leave the option out to run the one in the jar"), refused.getMessage());
    assertFalse(Files.exists(data), "a refused binary must change nothing");
  }

  private static Path script(Path file, String body) throws Exception {
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    assertTrue(file.toFile().setExecutable(true));
    return file;
  }
}
