package hwaas.redis;

import hwaas.support.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A primary, its replicas and three sentinels on loopback, all started from the embedded redis-server binary, each
 * in a process of its own: what the failover tests and the bench run against. Every server and sentinel has the same
 * random password. Blocking: never call it from an event loop.
 */
public final class LocalSentinels implements AutoCloseable {
  public static final String MASTER_NAME = "hwaas";
  private static final int SENTINELS = 3;

  private final Path dir;
  private final Path binary;
  private final String password;
  private final long downAfterMillis;
  private final Map<Integer, Process> servers = new LinkedHashMap<>();
  private final List<Process> sentinels = new ArrayList<>();
  private final List<Integer> sentinelPorts = new ArrayList<>();

  private LocalSentinels(Path dir, String password, long downAfterMillis) {
    this.dir = dir;
    this.binary = EmbeddedRedis.binary();
    this.password = password;
    this.downAfterMillis = downAfterMillis;
  }

  /**
   * @param replicas        replicas of the primary
   * @param downAfterMillis how long a primary must be silent before the sentinels call it down
   */
  public static LocalSentinels start(Path dir, int replicas, long downAfterMillis) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    LocalSentinels set = new LocalSentinels(dir, HexFormat.of().formatHex(new SecureRandom().generateSeed(16)), downAfterMillis);
    try {
      int primary = FreePorts.loopback();
      set.startServer(primary, null);
      for (int i = 0; i < replicas; i++) {
        set.startServer(FreePorts.loopback(), primary);
      }
      for (int i = 0; i < SENTINELS; i++) {
        set.startSentinel(primary);
      }
      set.awaitSeen(replicas);
      return set;
    } catch (IOException | InterruptedException | RuntimeException e) {
      set.close();
      throw e;
    }
  }

  /** {@code redis-sentinel://:password@127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/hwaas}: a secret, like any URL with a password. */
  public URI url() {
    return URI.create(SentinelAddress.SCHEME + "://:" + password + "@"
        + String.join(",", sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList()) + "/" + MASTER_NAME);
  }

  /** The port of the primary the sentinels name now. */
  public int primaryPort() throws IOException {
    for (int port : sentinelPorts) {
      try {
        List<?> address = (List<?>) ask(port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME);
        return Integer.parseInt((String) address.get(1));
      } catch (IOException e) {
        // the next sentinel may answer
      }
    }
    throw new IOException("no sentinel answered on " + sentinelPorts);
  }

  /** SIGKILL of the current primary, as a crash of its machine would do; returns its port. */
  public int killPrimary() throws IOException, InterruptedException {
    int port = primaryPort();
    Process primary = servers.get(port);
    primary.destroyForcibly();
    primary.waitFor(10, TimeUnit.SECONDS);
    return port;
  }

  /**
   * A failover asked of the sentinels (SENTINEL FAILOVER), as an operator would before maintenance: a replica is
   * promoted and the old primary, still running, becomes its replica. Returns the old primary's port.
   */
  public int switchover() throws IOException {
    int port = primaryPort();
    Object reply = ask(sentinelPorts.get(0), "SENTINEL", "FAILOVER", MASTER_NAME);
    if (!"OK".equals(reply)) {
      throw new IOException("SENTINEL FAILOVER answered " + reply);
    }
    return port;
  }

  /** How many times the server on {@code port} ran {@code command} (its INFO commandstats). */
  public long calls(int port, String command) throws IOException {
    String stats = (String) ask(port, "INFO", "commandstats");
    java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
    return calls.find() ? Long.parseLong(calls.group(1)) : 0;
  }

  /** The role the server on {@code port} says it has: {@code master} or {@code slave}. */
  public String role(int port) throws IOException {
    return (String) ((List<?>) ask(port, "ROLE")).get(0);
  }

  /** Waits until the sentinels name a primary other than {@code oldPort}: the failover is done. */
  public void awaitFailover(int oldPort, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (primaryPort() == oldPort) {
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("the sentinels still name the primary on port " + oldPort + " after " + timeoutMillis + " ms");
      }
      Thread.sleep(50);
    }
  }

  /**
   * Starts the server on {@code port} again, as its supervisor would: empty, a replica of the primary the sentinels
   * name now (which it then copies), so writes waiting for a replica can be confirmed again. Started as a primary, it
   * would wait for the sentinels to turn it (about ten seconds more).
   */
  public void restart(int port) throws IOException, InterruptedException {
    servers.remove(port);
    startServer(port, primaryPort());
  }

  private void startServer(int port, Integer primary) throws IOException, InterruptedException {
    List<String> replicaOf = primary == null ? List.of() : List.of("--replicaof", "127.0.0.1", Integer.toString(primary));
    servers.put(port, LocalServers.launch(dir, LocalServers.serverCommand(binary, dir, port, password, replicaOf), "redis-" + port));
    LocalServers.awaitPing(port, password, dir);
  }

  private void startSentinel(int primary) throws IOException, InterruptedException {
    int port = FreePorts.loopback();
    Path config = dir.resolve("sentinel-" + port + ".conf");
    // Sentinel rewrites its own config file as it learns the set: it must be writable.
    PrivateFiles.writeSecret(config, String.join("\n",
        "port " + port, "bind 127.0.0.1", "dir " + dir.toAbsolutePath(), "logfile " + dir.resolve("sentinel-" + port + ".log").toAbsolutePath(),
        "requirepass " + password, "sentinel sentinel-pass " + password,
        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary + " 2",
        "sentinel auth-pass " + MASTER_NAME + " " + password,
        "sentinel down-after-milliseconds " + MASTER_NAME + " " + downAfterMillis,
        "sentinel failover-timeout " + MASTER_NAME + " 10000",
        "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
    sentinels.add(LocalServers.launch(dir, List.of(binary.toString(), config.toAbsolutePath().toString(), "--sentinel"), "sentinel-" + port));
    sentinelPorts.add(port);
    LocalServers.awaitPing(port, password, dir);
  }

  /** Until every sentinel knows the replicas and the other sentinels: before that, a failover could not be agreed. */
  private void awaitSeen(int replicas) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    for (int port : sentinelPorts) {
      while (((List<?>) ask(port, "SENTINEL", "replicas", MASTER_NAME)).size() < replicas
          || ((List<?>) ask(port, "SENTINEL", "sentinels", MASTER_NAME)).size() < SENTINELS - 1) {
        if (System.currentTimeMillis() > deadline) {
          throw new IOException("sentinel on port " + port + " did not see " + replicas + " replicas and the other sentinels within 30 s (see " + dir + ")");
        }
        Thread.sleep(100);
      }
    }
  }

  /** One command after AUTH on a connection of its own: the reply as a String, Long, List or null. */
  private Object ask(int port, String... args) throws IOException {
    return new RedisAdmin(port, password, 1_000, 2_000).command(args);
  }

  /** Stops the sentinels first (no failover while the servers stop), then the servers; waits for each. */
  @Override
  public void close() {
    List<Process> all = new ArrayList<>(sentinels);
    all.addAll(servers.values());
    LocalServers.stop(all);
  }
}
