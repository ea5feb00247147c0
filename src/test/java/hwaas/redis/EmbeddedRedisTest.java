package hwaas.redis;

import hwaas.testing.RawRedis;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded redis-server is private: its directories, its password and its binary. Real processes throughout. */
class EmbeddedRedisTest {
  private final Path root = Path.of("target", "embedded-redis-test", UUID.randomUUID().toString()).toAbsolutePath();

  @Test
  @DisplayName("0700 directories, 0600 secrets, a password kept across restarts, and NOAUTH without it")
  void privateAndPassworded() throws Exception {
    Path bin = root.resolve("bin");
    Path data = root.resolve("data");
    URI first;
    try (EmbeddedRedis redis = EmbeddedRedis.start(data, "everysec", 0, bin)) {
      first = redis.url();
      assertEquals("rwx------", permissions(bin));
      assertEquals("rwx------", permissions(data));
      assertEquals("rw-------", permissions(data.resolve("redis.conf")));
      assertEquals("rw-------", permissions(data.resolve("redis.url")));
      assertEquals(first, EmbeddedRedis.runningIn(data).orElseThrow());
      String password = first.getUserInfo().substring(1);
      assertTrue(password.length() >= 32, "a long random password");
      assertTrue(ProcessHandle.of(redis.pid()).orElseThrow().info().commandLine().map(c -> !c.contains(password)).orElse(true),
          "the password must not be on the command line");
      assertTrue(RawRedis.say(first.getPort(), "PING").startsWith("-NOAUTH"), "a connection without the password is refused");
      assertEquals("+OK", RawRedis.say(first.getPort(), "AUTH " + password));
      assertTrue(RawRedis.say(first.getPort(), "AUTH wrong-password").startsWith("-WRONGPASS"));
      assertEquals(List.of("auto-aof-rewrite-min-size", Long.toString(256L << 20)),
          new RedisAdmin(first.getPort(), password).command("CONFIG", "GET", "auto-aof-rewrite-min-size"),
          "the append-only file is compacted from 256 MB, not Redis's 64");
    }
    try (EmbeddedRedis again = EmbeddedRedis.start(data, "everysec", 0, bin)) {
      assertEquals(first.getUserInfo(), again.url().getUserInfo(), "the data directory keeps its password");
    }
  }

  @Test
  @DisplayName("on Linux x86-64 it runs HWaaS's own build, with jemalloc, in the C locale")
  void ownBuildWithJemalloc() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(EmbeddedRedis.platform().equals(java.util.Optional.of("linux-amd64")),
        "the jar has its own build for Linux x86-64 only");
    try (EmbeddedRedis redis = EmbeddedRedis.start(root.resolve("own"), "everysec", 0, root.resolve("bin"))) {
      RedisAdmin admin = new RedisAdmin(redis.url().getPort(), redis.url().getUserInfo().substring(1));
      String memory = String.valueOf(admin.command("INFO", "memory"));
      assertTrue(memory.contains("mem_allocator:jemalloc"), memory);
      String server = String.valueOf(admin.command("INFO", "server"));
      assertTrue(server.contains("redis_version:7.0.15"), server);
      assertTrue(server.contains("executable:") && server.contains("redis-server-7.0.15-jemalloc-linux-amd64"), server);
      // Lua compares strings with the locale's collation, bytewise only in the C locale (which a user's LANG, say
      // en_US.UTF-8, would otherwise replace: it ignores '-' at first). Redis rewrites its environment's memory for its
      // process title, so the launch is checked where it is built.
      assertEquals("C", EmbeddedRedis.withCLocale(List.of("redis-server")).environment().get("LC_ALL"));
      assertEquals(1L, admin.command("EVAL", "return ('a-c' < 'ab') and 1 or 0", "0"), "'-' sorts before letters, as bytes do");
    }
  }

  @Test
  @DisplayName("a tampered binary, or a link in its place, is never run: it is extracted again from the jar")
  void tamperedBinaryIsReplaced() throws Exception {
    Path bin = root.resolve("bin");
    try (EmbeddedRedis redis = EmbeddedRedis.start(root.resolve("d1"), "everysec", 0, bin)) {
      assertTrue(redis.pid() > 0);
    }
    Path binary;
    try (var files = Files.list(bin)) {
      binary = files.filter(f -> f.getFileName().toString().startsWith("redis-server-")).findFirst().orElseThrow();
    }
    byte[] genuine = Files.readAllBytes(binary);
    Path marker = root.resolve("tampered-ran");
    Files.writeString(binary, "#!/bin/sh\ntouch " + marker + "\nexit 1\n");
    try (EmbeddedRedis redis = EmbeddedRedis.start(root.resolve("d2"), "everysec", 0, bin)) {
      assertTrue(redis.pid() > 0);
    }
    assertFalse(Files.exists(marker), "the tampered binary ran");
    assertTrue(java.util.Arrays.equals(genuine, Files.readAllBytes(binary)), "the genuine binary is back");

    Path elsewhere = root.resolve("elsewhere.sh");
    Files.writeString(elsewhere, "#!/bin/sh\ntouch " + marker + "\nexit 1\n");
    elsewhere.toFile().setExecutable(true);
    Files.delete(binary);
    Files.createSymbolicLink(binary, elsewhere);
    try (EmbeddedRedis redis = EmbeddedRedis.start(root.resolve("d3"), "everysec", 0, bin)) {
      assertTrue(redis.pid() > 0);
    }
    assertFalse(Files.exists(marker), "the linked binary ran");
    assertFalse(Files.isSymbolicLink(binary));
  }

  @Test
  @DisplayName("a binary directory that is a link or open to others is refused or closed")
  void binaryDirectoryIsChecked() throws Exception {
    Path real = Files.createDirectories(root.resolve("real"));
    Path link = Files.createSymbolicLink(root.resolve("link"), real);
    RedisStartException refused = assertThrows(RedisStartException.class,
        () -> EmbeddedRedis.start(root.resolve("d4"), "everysec", 0, link));
    assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());

    Path open = Files.createDirectories(root.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    try (EmbeddedRedis redis = EmbeddedRedis.start(root.resolve("d5"), "everysec", 0, open)) {
      assertEquals("rwx------", permissions(open));
    }
  }

  @Test
  @DisplayName("Redis leads a process group of its own: a signal for the node's group (Ctrl-C, kill %1) never reaches it")
  void processGroupOfItsOwn() throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.start(root.resolve("group"), "everysec", 0, root.resolve("bin"))) {
      long group = processGroup(redis.pid());
      assertNotEquals(processGroup(ProcessHandle.current().pid()), group);
      assertEquals(redis.pid(), group);
      assertTrue(RawRedis.say(redis.url().getPort(), "PING").startsWith("-NOAUTH"), "it answers");
    }
  }

  @Test
  @DisplayName("a server still loading its append-only file (it answers LOADING) is waited for past the first answer's limit")
  void waitsWhileLoading() throws Exception {
    Path bin = root.resolve("bin");
    Path data = root.resolve("loading");
    try (EmbeddedRedis redis = EmbeddedRedis.start(data, "everysec", 0, bin)) {
      RedisAdmin admin = new RedisAdmin(redis.url().getPort(), redis.url().getUserInfo().substring(1), 1_000, 60_000);
      // A million keys: replaying them from the append-only file takes seconds, not the 100 ms allowed below.
      admin.command("EVAL", "for i = 1, 1000000 do redis.call('SET', 'k' .. i, 'v') end", "0");
    }
    try (EmbeddedRedis again = EmbeddedRedis.start(data, "everysec", 0, bin, Duration.ofMillis(100))) {
      RedisAdmin admin = new RedisAdmin(again.url().getPort(), again.url().getUserInfo().substring(1));
      assertEquals(1_000_000L, admin.command("DBSIZE"));
    }
  }

  private static long processGroup(long pid) throws Exception {
    Process ps = new ProcessBuilder("ps", "-o", "pgid=", "-p", Long.toString(pid)).start();
    String group = new String(ps.getInputStream().readAllBytes()).trim();
    assertTrue(ps.waitFor(5, java.util.concurrent.TimeUnit.SECONDS));
    return Long.parseLong(group);
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }
}
