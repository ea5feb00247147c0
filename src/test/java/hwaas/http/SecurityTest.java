package hwaas.http;

import hwaas.cluster.ClusterRegistry;
import hwaas.cluster.ClusterSettings;
import hwaas.jobs.JobHandlers;
import hwaas.redis.RedisSettings;
import hwaas.redis.RedisStartException;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import hwaas.testing.TestRedis;
import hwaas.support.Printer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closed by default, over real sockets against a real node: tokens for reads and writes, headers, hostile input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityTest {
  private static final String ADMIN = "admin-token-0123456789abcdef";
  private static final String READ = "read-only-token-0123456789";

  private final Capture stdout = new Capture();
  private Printer printer;
  private Node node;
  private Api api;
  private RedisProbe probe;

  @BeforeAll
  void startNode() {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(1, 0, 1), ADMIN);
    NodeSettings settings = local.withHttp(local.http().withReadToken(READ));
    printer = new Printer(stdout, () -> { });
    node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
    api = new Api(node.httpPort(), ADMIN);
    probe = new RedisProbe(settings);
  }

  @AfterAll
  void stopNode() {
    node.stop();
    probe.close();
    printer.close();
  }

  @Test
  @DisplayName("every read needs a token: none 401, the read-only one 200, the admin one 200; a write with the read-only one 403")
  void readsNeedATokenAndTheReadOnlyTokenCannotWrite() throws Exception {
    for (String path : List.of("/api/jobs?client=nobody", "/api/queues", "/api/dead", "/api/cluster", "/api/access", "/metrics")) {
      assertEquals(401, api.get(path, null).status(), path);
      assertEquals(401, api.get(path, "not-a-token-of-this-service").status(), path);
      assertEquals(200, api.get(path, READ).status(), path);
      assertEquals(200, api.get(path, ADMIN).status(), path);
    }
    assertEquals("read", api.get("/api/access", READ).json().getString("role"));
    assertEquals("admin", api.get("/api/access", ADMIN).json().getString("role"));
    assertEquals(401, api.get("/api/jobs/api-00000000000000000000", null).status());
    for (String open : List.of("/health", "/ready", "/api/openapi.yaml", "/", "/js/app.js")) {
      assertEquals(200, api.get(open, null).status(), open);
    }

    long before = probe.streamLength();
    Api.Reply write = api.post("/api/jobs", "{\"type\":\"print\",\"payload\":{\"message\":\"hi\"},\"client\":\"ro\"}",
        "application/json", READ);
    assertEquals(403, write.status(), write.body());
    assertEquals(403, api.post("/api/queues/print/pause", null, null, READ).status());
    assertEquals(before, probe.streamLength(), "the read-only token enqueued something");
  }

  @Test
  @DisplayName("pages and API answers carry CSP (self only, no framing), nosniff and no-referrer")
  void securityHeaders() throws Exception {
    for (String path : List.of("/", "/api/queues")) {
      var headers = api.get(path).raw().headers();
      String csp = headers.firstValue("Content-Security-Policy").orElse("");
      assertTrue(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), path + ": " + csp);
      assertEquals("nosniff", headers.firstValue("X-Content-Type-Options").orElse(""), path);
      assertEquals("no-referrer", headers.firstValue("Referrer-Policy").orElse(""), path);
    }
  }

  @Test
  @DisplayName("a loopback node answers only requests addressed to a loopback name (DNS rebinding), and the bridge only its own origin")
  void hostAndOriginChecks() throws Exception {
    assertTrue(rawGet("/health", "evil.example:" + node.httpPort(), null).startsWith("HTTP/1.1 421"));
    assertTrue(rawGet("/health", "localhost:" + node.httpPort(), null).startsWith("HTTP/1.1 200"));
    String self = "http://127.0.0.1:" + node.httpPort();
    assertTrue(rawGet("/eventbus/info", "127.0.0.1:" + node.httpPort(), "http://evil.example").startsWith("HTTP/1.1 403"));
    assertTrue(rawGet("/eventbus/info", "127.0.0.1:" + node.httpPort(), self).startsWith("HTTP/1.1 200"));
  }

  @Test
  @DisplayName("a message with ESC or another control character is refused with 400 naming it, and nothing is enqueued")
  void controlCharactersAreRefused() throws Exception {
    long before = probe.streamLength();
    Api.Reply esc = api.post("/api/jobs", "{\"type\":\"print\",\"payload\":{\"message\":\"\\u001b[2Jgone\"},\"client\":\"esc\"}");
    assertEquals(400, esc.status(), esc.body());
    assertTrue(esc.json().getString("detail").contains("U+001B (ESC)"), esc.body());
    Api.Reply bell = api.post("/api/jobs", "{\"type\":\"sleep\",\"payload\":{\"seconds\":0,\"message\":\"ring\\u0007\"},\"client\":\"esc\"}");
    assertEquals(400, bell.status(), bell.body());
    assertTrue(bell.json().getString("detail").contains("U+0007"), bell.body());
    assertEquals(before, probe.streamLength());
  }

  @Test
  @DisplayName("the Redis password appears in no API answer")
  void noPasswordInAnswers() throws Exception {
    String password = TestRedis.url().getUserInfo().substring(1);
    assertTrue(password.length() >= 16, "the test Redis has a password");
    for (String path : List.of("/api/cluster", "/api/queues", "/api/dead", "/api/access", "/metrics", "/ready", "/api/openapi.yaml")) {
      assertFalse(api.get(path).body().contains(password), path + " shows the Redis password");
    }
    assertTrue(api.get("/api/cluster").json().getString("redis").startsWith("redis://:***@127.0.0.1:"));
  }

  @Test
  @DisplayName("the cluster map holds the Redis address without a password, and a node joins only a Redis that holds the cluster's service")
  void clusterMapHoldsNoSecretAndJoinChecksTheService() throws Exception {
    ClusterRegistry.Registration registered = ClusterRegistry.redis(node.vertx()).await(5, TimeUnit.SECONDS);
    assertEquals(null, registered.url().getRawUserInfo(), registered.toString());
    assertEquals(TestRedis.url().getPort(), registered.url().getPort());

    NodeSettings mine = node.settings();
    String password = TestRedis.url().getUserInfo().substring(1);
    // --join without --redis, with --redis-password-file's password: the address comes from the cluster map.
    NodeSettings joiner = mine.withRedis(new RedisSettings(null, mine.redis().dataDir(), "everysec", password, RedisSettings.DEFAULT_MAX_MEMORY, false, null))
        .withCluster(joining(mine.cluster())).withHttp(mine.http().withPort(0)).withWorkers(mine.workers().withCount(0));
    Node same = Node.start(joiner, JobHandlers.standard(printer, joiner.limits()));
    try {
      assertTrue(same.learnedRedis());
      assertEquals(TestRedis.url().getPort(), same.settings().redis().url().getPort());
    } finally {
      same.stop();
    }
    // Another key prefix is another service in the same Redis: refused.
    RedisStartException refused = assertThrows(RedisStartException.class, () -> Node.start(
        joiner.withQueue(mine.queue().withKeyPrefix("another-service-" + System.nanoTime())), JobHandlers.standard(printer, joiner.limits())));
    assertTrue(refused.getMessage().contains("does not hold the service"), refused.getMessage());
    assertFalse(refused.getMessage().contains(password));
  }

  private static ClusterSettings joining(ClusterSettings c) {
    return new ClusterSettings(c.name(), c.host(), c.members(), 0, null, null, true, false);
  }

  /** HTTP/1.1 by hand: the JDK client will not send a Host header of one's choosing. */
  private String rawGet(String path, String host, String origin) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", node.httpPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n")
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
  }
}
