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

/**
 * A Redis Cluster of primaries on loopback, each a process of its own started from the embedded redis-server binary,
 * formed through commands as an operator's tool would form it: each primary takes an equal range of the 16,384 hash
 * slots ({@code CLUSTER ADDSLOTSRANGE}), meets the first ({@code CLUSTER MEET}), and the cluster is ready once every
 * node reports {@code cluster_state:ok} and knows the others. Every node has the same random password. The ground for
 * the Redis Cluster tests and the bench's rows. Blocking: never call it from an event loop.
 */
public final class LocalRedisCluster implements AutoCloseable {
  public static final int SLOTS = 16_384;

  private final Path dir;
  private final Path binary;
  private final String password;
  private final Map<Integer, Process> primaries = new LinkedHashMap<>();
  private final Map<Integer, Process> replicas = new LinkedHashMap<>();
  /** Each primary's cluster bus port, by its client port: chosen free, not the client port + 10000, which may not be. */
  private final Map<Integer, Integer> busPorts = new LinkedHashMap<>();

  private LocalRedisCluster(Path dir, String password) {
    this.dir = dir;
    this.binary = EmbeddedRedis.binary();
    this.password = password;
  }

  /** Starts {@code count} primaries, gives each its slots and waits until the cluster is ready (at most 30 s). */
  public static LocalRedisCluster start(Path dir, int count) throws IOException, InterruptedException {
    return start(dir, count, 0);
  }

  /**
   * As {@link #start(Path, int)}, then {@code replicasEach} replicas of each primary, each a process of its own that
   * meets the cluster and replicates its primary ({@code CLUSTER REPLICATE}); ready once each has copied its primary
   * and every node knows every other. When a primary dies, the cluster promotes one of its replicas after the node
   * timeout (5 s).
   */
  public static LocalRedisCluster start(Path dir, int count, int replicasEach) throws IOException, InterruptedException {
    if (count < 1) {
      throw new IllegalArgumentException("a cluster needs at least one primary, not " + count);
    }
    Files.createDirectories(dir);
    LocalRedisCluster cluster = new LocalRedisCluster(dir, HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
    try {
      for (int i = 0; i < count; i++) {
        cluster.startPrimary(FreePorts.loopback(), FreePorts.loopback());
      }
      List<Integer> ports = cluster.ports();
      for (int i = 0; i < count; i++) {
        int first = i * SLOTS / count;
        int last = (i + 1) * SLOTS / count - 1;
        cluster.ask(ports.get(i), "CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last));
      }
      for (int port : ports.subList(1, count)) {
        cluster.ask(port, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(ports.get(0)),
            Integer.toString(cluster.busPorts.get(ports.get(0))));
      }
      cluster.awaitReady(30_000);
      for (int port : ports) {
        String primaryId = (String) cluster.ask(port, "CLUSTER", "MYID");
        for (int r = 0; r < replicasEach; r++) {
          cluster.startReplica(primaryId, ports.get(0));
        }
      }
      if (replicasEach > 0) {
        cluster.awaitReady(30_000);
      }
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The client ports of the first primaries, in the order of their slot ranges (a failover changes who serves them). */
  public List<Integer> ports() {
    return new ArrayList<>(primaries.keySet());
  }

  /** {@code redis-cluster://:password@127.0.0.1:p1,...}: what a node is given. A secret, like any URL with a password. */
  public URI url() {
    return URI.create(ClusterAddress.SCHEME + "://:" + password + "@"
        + String.join(",", ports().stream().map(p -> "127.0.0.1:" + p).toList()));
  }

  /**
   * {@code redis://:password@127.0.0.1:<port>} of each primary: a cluster client needs any of them to learn the
   * others. Secrets, like any URL with a password.
   */
  public List<URI> urls() {
    return ports().stream().map(p -> URI.create("redis://:" + password + "@127.0.0.1:" + p)).toList();
  }

  /** One command to the primary on {@code port} (after AUTH): the reply as a String, Long, List or null. */
  public Object ask(int port, String... args) throws IOException {
    return new RedisAdmin(port, password, 1_000, 5_000).command(args);
  }

  /** The hash slot a key belongs to, as the cluster computes it ({@code CLUSTER KEYSLOT}). */
  public long keySlot(String key) throws IOException {
    return (Long) ask(ports().get(0), "CLUSTER", "KEYSLOT", key);
  }

  /** The port of the primary that serves the key's slot (the primaries hold equal ranges, in the order of {@link #ports()}). */
  public int portOf(String key) throws IOException {
    long slot = keySlot(key);
    List<Integer> ports = ports();
    for (int i = 0; i < ports.size(); i++) {
      if (slot <= (long) (i + 1) * SLOTS / ports.size() - 1) {
        return ports.get(i);
      }
    }
    throw new IllegalStateException("slot " + slot + " is beyond the " + SLOTS + " of a cluster");
  }

  private void startPrimary(int port, int busPort) throws IOException, InterruptedException {
    primaries.put(port, launchNode(port, busPort));
  }

  private Process launchNode(int port, int busPort) throws IOException, InterruptedException {
    List<String> command = LocalServers.serverCommand(binary, dir, port, password, List.of("--cluster-enabled", "yes",
        "--cluster-port", Integer.toString(busPort), "--cluster-node-timeout", "5000",
        "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toAbsolutePath().toString()));
    Process process = LocalServers.launch(dir, command, "redis-" + port);
    busPorts.put(port, busPort);
    LocalServers.awaitPing(port, password, dir);
    return process;
  }

  /** A node that meets the cluster through {@code seedPort}, then replicates the primary {@code primaryId}. */
  private void startReplica(String primaryId, int seedPort) throws IOException, InterruptedException {
    int port = FreePorts.loopback();
    replicas.put(port, launchNode(port, FreePorts.loopback()));
    ask(port, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(seedPort), Integer.toString(busPorts.get(seedPort)));
    long deadline = System.currentTimeMillis() + 10_000;
    // It can replicate a node only once it knows it.
    while (!String.valueOf(ask(port, "CLUSTER", "NODES")).contains(primaryId)) {
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("the replica on port " + port + " did not learn of primary " + primaryId + " within 10 s");
      }
      Thread.sleep(50);
    }
    ask(port, "CLUSTER", "REPLICATE", primaryId);
    while (!String.valueOf(ask(port, "INFO", "replication")).contains("master_link_status:up")) {
      if (System.currentTimeMillis() > deadline + 20_000) {
        throw new IOException("the replica on port " + port + " did not copy its primary within 30 s (see " + dir + ")");
      }
      Thread.sleep(50);
    }
  }

  /** The port of the primary that serves the key's slot now, as a live node's {@code CLUSTER SLOTS} says. */
  public int primaryOf(String key) throws IOException {
    long slot = keySlot(key);
    for (Object range : (List<?>) askAnyLive("CLUSTER", "SLOTS")) {
      List<?> r = (List<?>) range;
      if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
        return ((Long) ((List<?>) r.get(2)).get(1)).intValue();
      }
    }
    throw new IOException("no node serves slot " + slot);
  }

  /** SIGKILL of the node on {@code port} (a primary or a replica), as a crash of its machine would do. */
  public void kill(int port) throws InterruptedException {
    Process node = primaries.containsKey(port) ? primaries.get(port) : replicas.get(port);
    node.destroyForcibly();
    node.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  /**
   * Starts the killed node on {@code port} again, with its cluster config and data, as its supervisor would: a primary
   * that lost its slots to a failover comes back as a replica of the new primary and copies it, so writes that wait
   * for a replica can be confirmed again. Returns once it has copied its primary (at most 30 s).
   */
  public void restart(int port) throws IOException, InterruptedException {
    Process node = launchNode(port, busPorts.get(port));
    if (primaries.containsKey(port)) {
      primaries.put(port, node);
    } else {
      replicas.put(port, node);
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (!String.valueOf(ask(port, "INFO", "replication")).contains("master_link_status:up")) {
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("the node on port " + port + " did not come back as a replica within 30 s (see " + dir + ")");
      }
      Thread.sleep(100);
    }
  }

  /** Until a live node names another primary than {@code oldPort} for the key's slot: its replica took over. */
  public int awaitFailover(String key, int oldPort, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      int now = primaryOf(key);
      if (now != oldPort) {
        return now;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IOException("the cluster still names " + oldPort + " for " + key + " after " + timeoutMillis + " ms");
      }
      Thread.sleep(100);
    }
  }

  private Object askAnyLive(String... args) throws IOException {
    IOException last = null;
    for (Map.Entry<Integer, Process> node : allNodes().entrySet()) {
      if (node.getValue().isAlive()) {
        try {
          return ask(node.getKey(), args);
        } catch (IOException e) {
          last = e;
        }
      }
    }
    throw last != null ? last : new IOException("no node of the cluster is alive");
  }

  private Map<Integer, Process> allNodes() {
    Map<Integer, Process> all = new LinkedHashMap<>(primaries);
    all.putAll(replicas);
    return all;
  }

  /** Until every node says the cluster is ok, with all slots assigned and every other node known. */
  private void awaitReady(long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    for (int port : allNodes().keySet()) {
      String info = "";
      while (!(info.contains("cluster_state:ok") && info.contains("cluster_slots_assigned:" + SLOTS)
          && info.contains("cluster_known_nodes:" + allNodes().size()))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IOException("the cluster node on port " + port + " was not ready within " + timeoutMillis + " ms (see "
              + dir + "); it says: " + info.replace("\r\n", " "));
        }
        Thread.sleep(50);
        info = (String) ask(port, "CLUSTER", "INFO");
      }
    }
  }

  /** Stops every node and waits for it. */
  @Override
  public void close() {
    LocalServers.stop(allNodes().values());
  }
}
