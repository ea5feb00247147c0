package hwaas.security;

import hwaas.testing.Api;
import hwaas.testing.NodeProcess;
import hwaas.testing.Poll;
import hwaas.testing.RawRedis;
import hwaas.testing.TestRedis;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A default node as a user starts it, looked at from outside: its sockets, its Redis, what it prints. */
class SecurityIT {
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir = Path.of("target", "security", run);

  @Test
  @DisplayName("a default node listens on loopback only (HTTP, Hazelcast, event bus, embedded Redis), and its Redis wants the password")
  void listensOnLoopbackOnly() throws Exception {
    try (NodeProcess node = NodeProcess.start(dir, "node", "1", "1", "--http-port", "0", "--cluster-name", "security-" + run,
        "--data-dir", dir.resolve("data").toString())) {
      node.awaitStarted();
      Matcher pid = Pattern.compile("embedded, pid (\\d+)").matcher(node.stderrText());
      assertTrue(pid.find(), node.stderrText());
      long redisPid = Long.parseLong(pid.group(1));
      List<String> listeners = new ArrayList<>();
      listeners.addAll(listening(node.pid()));
      listeners.addAll(listening(redisPid));
      assertTrue(listeners.size() >= 4, "HTTP, Hazelcast, event bus and Redis listen: " + listeners);
      for (String address : listeners) {
        assertTrue(address.startsWith("127.0.0.1:") || address.startsWith("[::1]:"), "listens beyond loopback: " + address
            + " (all: " + listeners + ")");
      }
      Matcher port = Pattern.compile("redis +redis://:\\*\\*\\*@127\\.0\\.0\\.1:(\\d+)").matcher(node.stderrText());
      assertTrue(port.find(), "the banner shows the Redis without its password: " + node.stderrText());
      assertTrue(RawRedis.say(Integer.parseInt(port.group(1)), "PING").startsWith("-NOAUTH"));
      String password = Files.readString(dir.resolve("data").resolve("redis.url")).trim().replaceAll("^redis://:([^@]+)@.*$", "$1");
      assertFalse(node.stderrText().contains(password), "the embedded Redis's password was printed");
      assertEquals(0, node.stop());
    }
  }

  @Test
  @DisplayName("a Redis password given in --redis appears in no line the node prints, nor in its API answers")
  void redisPasswordIsNeverShown() throws Exception {
    URI redis = TestRedis.url();
    String password = redis.getUserInfo().substring(1);
    try (NodeProcess node = NodeProcess.start(dir, "given", "1", "1", "--http-port", "0", "--cluster-name", "security-given-" + run,
        "--redis", redis.toString(), "--log-level", "debug")) {
      node.awaitStarted();
      Api api = new Api(node.httpPort(), node.token());
      Poll.until(Duration.ofSeconds(10), "a printed line", () -> dir.resolve("given.out").toFile().length() > 0);
      for (String path : List.of("/api/cluster", "/api/queues", "/api/dead", "/ready", "/metrics")) {
        assertFalse(api.get(path).body().contains(password), path);
      }
      assertEquals(0, node.stop());
      assertFalse(node.stderrText().contains(password), "stderr shows the Redis password: " + node.stderrText());
      assertTrue(node.stderrText().contains("redis://:***@127.0.0.1:" + redis.getPort()), node.stderrText());
    }
  }

  @Test
  @DisplayName("an admin token given in HWAAS_TOKEN is never printed (a made-up one is, once), yet it opens the API")
  void givenTokenIsNeverShown() throws Exception {
    String token = "given-" + UUID.randomUUID();
    try (NodeProcess node = NodeProcess.start(dir, "token", Map.of("HWAAS_TOKEN", token), "1", "0", "--http-port", "0",
        "--cluster-name", "security-token-" + run, "--log-level", "debug")) {
      node.awaitStarted();
      assertEquals(200, new Api(node.httpPort(), token).get("/api/access").status());
      assertEquals(0, node.stop());
      assertFalse(node.stderrText().contains(token), "stderr shows the given token: " + node.stderrText());
      assertTrue(node.stderrText().contains("not shown"), node.stderrText());
    }
  }

  /** Addresses of the TCP sockets a process listens on, from /proc (IPv4 and IPv6). */
  private static List<String> listening(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException gone) {
          // closed while we looked
        }
      }
    }
    List<String> addresses = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table)).subList(1, Files.readAllLines(Path.of(table)).size())) {
        String[] f = line.trim().split("\\s+");
        if (f[3].equals("0A") && inodes.contains(f[9])) {
          addresses.add(address(f[1]));
        }
      }
    }
    return addresses;
  }

  /** /proc/net/tcp's {@code 0100007F:1F90} as {@code 127.0.0.1:8080} (IPv6 in brackets). */
  private static String address(String hex) {
    String[] parts = hex.split(":");
    int port = Integer.parseInt(parts[1], 16);
    String ip = parts[0];
    if (ip.length() == 8) {
      return Integer.parseInt(ip.substring(6, 8), 16) + "." + Integer.parseInt(ip.substring(4, 6), 16) + "."
          + Integer.parseInt(ip.substring(2, 4), 16) + "." + Integer.parseInt(ip.substring(0, 2), 16) + ":" + port;
    }
    if (ip.equals("00000000000000000000000001000000")) {
      return "[::1]:" + port;
    }
    if (ip.equals("0000000000000000FFFF00000100007F")) {
      return "127.0.0.1:" + port; // ::ffff:127.0.0.1
    }
    return "[" + ip + "]:" + port;
  }
}
