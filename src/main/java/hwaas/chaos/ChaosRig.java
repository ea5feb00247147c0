package hwaas.chaos;

import hwaas.support.FreePorts;
import hwaas.redis.RedisAdmin;

import hwaas.queue.QueueSettings;
import hwaas.queue.StreamKeys;
import hwaas.redis.EmbeddedRedis;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the chaos command runs on this machine: an embedded Redis it owns (so it can kill it and start it again on the
 * same data and port), one {@link TcpProxy} per node in front of it, two worker nodes and a client node, each a JVM
 * of its own from the built jar. The nodes also reach each other through proxies: each node advertises a proxy's port
 * as its cluster (Hazelcast) port and another as its event-bus port ({@code --cluster-public-port},
 * {@code --event-bus-public-port}), and those proxies tell which node connects, so that the link between two nodes can
 * be cut while the third keeps both. {@link #close()} stops all of it, by pid, whatever state the run is in; it is also
 * the shutdown hook's work, so Ctrl-C leaves nothing behind.
 */
final class ChaosRig implements AutoCloseable {
  static final int CLIENTS = 50;
  static final int RATE = 10;
  static final int WORKERS_PER_NODE = 2;
  /**
   * About 200 bytes a line, so that a slow reader fills the 64 KiB pipe of a worker node within a second or two and
   * its printer really waits; with 14 bytes a line a few seconds of slow reading would go unnoticed.
   */
  static final String MESSAGE = "hello, world! ".repeat(14).trim();
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Hazelcast's failure detection and split-brain merge scaled to the rig's faults of a few seconds: a member silent
   * for 3 s is taken out (default 60 s) and split clusters look for each other every 5 s (default: first after 300 s,
   * then every 100 s). A cut of a few seconds then does to the cluster what a minute-long one does with the defaults.
   */
  static final List<String> HAZELCAST_TIMINGS = List.of("-Dhazelcast.heartbeat.interval.seconds=1",
      "-Dhazelcast.max.no.heartbeat.seconds=3", "-Dhazelcast.merge.first.run.delay.seconds=5",
      "-Dhazelcast.merge.next.run.delay.seconds=5");
  private static final List<String> JVM_FLAGS = Stream.concat(Stream.of("-XX:TieredStopAtLevel=1", "-Xmx256m",
      "-XX:+UseSerialGC", "--add-modules", "java.se", "-Dhazelcast.logging.type=slf4j",
      "-Dhazelcast.phone.home.enabled=false"), HAZELCAST_TIMINGS.stream()).toList();

  private final Path dir;
  private final Path jar;
  private final Consumer<String> progress;
  private final String clusterName = "chaos-" + UUID.randomUUID().toString().substring(0, 8);
  private final Path redisData;
  /** Added to under {@code this} while not closed, so {@link #close()} sees every node that may ever start. */
  private final List<NodeRunner> nodes = new CopyOnWriteArrayList<>();
  private final Map<NodeRunner, TcpProxy> proxies = new ConcurrentHashMap<>();
  /** Each node's cluster port and event-bus port, as the other nodes reach them. */
  private final Map<NodeRunner, ClusterLinks> links = new ConcurrentHashMap<>();
  /** The API token of every node, for {@link ClusterViews}. */
  private final String token = UUID.randomUUID().toString();
  private final ClusterViews views = new ClusterViews(token);
  private final StreamKeys keys = QueueSettings.defaults().keys();
  private final List<String> unexpectedExits = new CopyOnWriteArrayList<>();
  /** Guarded by {@code this}; {@code null} while killed. */
  private EmbeddedRedis redis;
  private volatile int redisPort;
  private volatile String password;
  private boolean closed;

  ChaosRig(Path dir, Path jar, Consumer<String> progress) {
    this.dir = dir;
    this.jar = jar;
    this.progress = progress;
    this.redisData = dir.resolve("redis");
  }

  /** Redis, the proxies, then the nodes: the first worker node alone (the cluster forms around it), then the others. */
  void start() throws IOException, InterruptedException {
    startRedis(0);
    progress.accept("redis: pid " + redisPid() + " on port " + redisPort + ", data in " + redisData + " (fsync always)");
    Path passwordFile = writePasswordFile();
    List<String> names = List.of("worker1", "worker2", "client");
    Map<String, ClusterLinks> byName = new LinkedHashMap<>();
    for (String name : names) {
      byName.put(name, ClusterLinks.start(name, FreePorts.loopback(), FreePorts.loopback(), this::sourceOf));
    }
    for (String name : names) {
      boolean worker = name.startsWith("worker");
      TcpProxy proxy = TcpProxy.start(name, redisPort);
      // Each node looks for the others at their proxies only: a real port in the list would bypass the cut.
      String members = byName.entrySet().stream().filter(e -> !e.getKey().equals(name))
          .map(e -> "127.0.0.1:" + e.getValue().cluster().port()).collect(Collectors.joining(","));
      NodeRunner node = new NodeRunner(name, worker, command(name, worker, proxy.port(), passwordFile, byName.get(name),
          members), Map.of("HWAAS_TOKEN", token), dir.resolve(name + ".log"), dir.resolve(name + ".audit"));
      synchronized (this) {
        if (closed) {
          proxy.close();
          byName.values().forEach(ClusterLinks::close);
          throw new IllegalStateException("the chaos run is stopping");
        }
        nodes.add(node);
        proxies.put(node, proxy);
        links.put(node, byName.get(name));
      }
    }
    // The first alone, then the others, which find it at its proxy and join at once. Started all at once, each
    // waits out Hazelcast's join timeout against proxies whose node is not listening yet (34 s instead of 13 to 20).
    nodes.get(0).start();
    nodes.get(0).awaitStarted(START_TIMEOUT);
    for (NodeRunner node : nodes.subList(1, nodes.size())) {
      node.start();
    }
    for (NodeRunner node : nodes) {
      node.awaitStarted(START_TIMEOUT);
      progress.accept(node.name() + ": pid " + node.pid() + (node.worker() ? ", " + WORKERS_PER_NODE + " workers" :
          ", " + CLIENTS + " clients at " + RATE + "/s") + ", Redis through proxy port " + proxies.get(node).port()
          + ", " + links.get(node) + ", log " + node.log());
    }
    // Faults begin from one whole cluster: a cut between two nodes is judged by the nodes' views of it.
    progress.accept(views.awaitWhole(nodes, CLUSTER_TIMEOUT).isPresent() ? "cluster: every node lists all three"
        : "cluster: the nodes do not all list each other after " + CLUSTER_TIMEOUT.toSeconds() + " s ("
        + views.describe(nodes) + ")");
  }

  private List<String> command(String name, boolean worker, int proxyPort, Path passwordFile, ClusterLinks cluster,
                               String members) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(JVM_FLAGS);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(worker ? List.of(Integer.toString(WORKERS_PER_NODE), "0")
        : List.of("0", Integer.toString(CLIENTS), "--rate", Integer.toString(RATE)));
    command.addAll(List.of("--message", MESSAGE,
        // The password from a 0600 file, not in the URL: ps would show it.
        "--redis", "redis://127.0.0.1:" + proxyPort, "--redis-password-file", passwordFile.toString(),
        "--cluster-name", clusterName, "--cluster-host", "127.0.0.1", "--members", members,
        "--cluster-port", Integer.toString(cluster.clusterPort()),
        "--cluster-public-port", Integer.toString(cluster.cluster().port()),
        "--event-bus-port", Integer.toString(cluster.eventBusPort()),
        "--event-bus-public-port", Integer.toString(cluster.eventBus().port()),
        "--http-port", "0", "--data-dir", dir.resolve(name + "-data").toString(),
        "--audit", dir.resolve(name + ".audit").toString(),
        "--visibility-timeout", "2", "--job-timeout", "1"));
    return command;
  }

  /** Which node made a connection to one of the cluster proxies: the node whose process holds its client end. */
  private String sourceOf(Socket accepted) {
    Map<Long, NodeRunner> byPid = new LinkedHashMap<>();
    for (NodeRunner node : nodes) {
      node.pidIfRunning().ifPresent(pid -> byPid.put(pid, node));
    }
    return SocketOwners.owner(accepted.getPort(), accepted.getLocalPort(), byPid.keySet())
        .map(pid -> byPid.get(pid).name()).orElse(null);
  }

  private Path writePasswordFile() throws IOException {
    Path file = dir.resolve("redis.password");
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, password + "\n", StandardOpenOption.TRUNCATE_EXISTING);
    return file;
  }

  List<NodeRunner> nodes() {
    return nodes;
  }

  List<NodeRunner> workers() {
    return nodes.stream().filter(NodeRunner::worker).toList();
  }

  NodeRunner client() {
    return nodes.stream().filter(n -> !n.worker()).findFirst().orElseThrow();
  }

  TcpProxy proxy(NodeRunner node) {
    return proxies.get(node);
  }

  ClusterViews views() {
    return views;
  }

  /** Cuts the cluster and event-bus links between {@code a} and {@code b}, both ways; returns the connections closed. */
  int cutBetween(NodeRunner a, NodeRunner b) {
    return links.get(a).cutFrom(b.name()) + links.get(b).cutFrom(a.name());
  }

  /** Heals what {@link #cutBetween} cut. */
  void healBetween(NodeRunner a, NodeRunner b) {
    links.get(a).heal();
    links.get(b).heal();
  }

  /** Lines printed so far by all the nodes, over all their processes. */
  long printedLines() {
    long sum = 0;
    for (NodeRunner node : nodes) {
      sum += node.lines();
    }
    return sum;
  }

  List<Path> auditFiles() {
    return nodes.stream().map(NodeRunner::audit).toList();
  }

  /** Lines logged at ERROR by each node (over all its processes): what went wrong inside, for a look at the logs. */
  Map<String, Long> errorsLogged() throws IOException {
    Map<String, Long> errors = new LinkedHashMap<>();
    for (NodeRunner node : nodes) {
      try (Stream<String> lines = Files.lines(node.log())) {
        errors.put(node.name(), lines.filter(line -> line.matches("\\S+ ERROR .*")).count());
      }
    }
    return errors;
  }

  RedisAdmin admin() {
    return new RedisAdmin(redisPort, password);
  }

  synchronized long redisPid() {
    return redis.pid();
  }

  /** kill -9 of Redis; returns its pid once it is gone. The data directory's lock is given up for the restart. */
  synchronized long killRedis() throws InterruptedException {
    long pid = redis.pid();
    Signals.send(pid, "KILL");
    ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    redis.close();
    redis = null;
    return pid;
  }

  /** Starts Redis again on its data directory (the append-only file) and its port. */
  synchronized void restartRedis() {
    startRedis(redisPort);
  }

  private synchronized void startRedis(int port) {
    if (closed) {
      throw new IllegalStateException("Redis not started: the chaos run is stopping");
    }
    redis = EmbeddedRedis.start(redisData, "always", port);
    URI url = redis.url();
    redisPort = url.getPort();
    password = url.getUserInfo().substring(1);
  }

  /** Starts again any node that exited though no fault asked it to (a finding, listed in the end); returns their names. */
  List<String> restartExited() throws IOException {
    List<String> restarted = new ArrayList<>();
    for (NodeRunner node : nodes) {
      if (!node.alive()) {
        progress.accept(node.name() + " exited by itself with status " + node.exitStatus() + " (see " + node.log()
            + "); starting it again");
        node.start();
        restarted.add(node.name());
      }
    }
    unexpectedExits.addAll(restarted);
    return restarted;
  }

  /**
   * How the end went: entries left in the stream after the drain, dead letters, lines logged at ERROR per node, and
   * the nodes that exited though no fault asked them to (once per exit).
   */
  record Ending(long left, long dead, Map<String, Long> errorsLogged, List<String> unexpectedExits) {
  }

  /**
   * The orderly end: the client node first (SIGTERM: its clients wait for their last replies), then the workers drain
   * the stream (up to {@code drain}), then the workers (SIGTERM), then Redis.
   */
  Ending finish(Duration drain) throws IOException, InterruptedException {
    restartExited();
    NodeRunner client = client();
    progress.accept("stopping " + client.name() + " (SIGTERM): " + exit(client.shutDown(STOP_TIMEOUT)));
    String stream = keys.stream("print");
    long deadline = System.nanoTime() + drain.toNanos();
    long left = admin().xlen(stream);
    while (left > 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      left = admin().xlen(stream);
    }
    progress.accept(left == 0 ? "the workers drained the stream" : left + " stream entries still there after "
        + drain.toSeconds() + " s of draining");
    long dead = admin().xlen(keys.dead());
    // The workers together: each waits for its own lanes to drain, so one after the other would only add up.
    List<Thread> stopping = new ArrayList<>();
    for (NodeRunner worker : workers()) {
      Thread thread = new Thread(() -> {
        try {
          progress.accept("stopping " + worker.name() + " (SIGTERM): " + exit(worker.shutDown(STOP_TIMEOUT)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "chaos-finish-" + worker.name());
      thread.start();
      stopping.add(thread);
    }
    for (Thread thread : stopping) {
      thread.join();
    }
    synchronized (this) {
      if (redis != null) {
        redis.close();
        redis = null;
      }
    }
    return new Ending(left, dead, errorsLogged(), List.copyOf(unexpectedExits));
  }

  private static String exit(Integer status) {
    return status == null ? "killed after " + STOP_TIMEOUT.toSeconds() + " s" : "exit status " + status;
  }

  /** Stops everything still running, nodes in parallel (SIGCONT, SIGTERM, SIGKILL after 15 s), then proxies and Redis. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<Thread> stopping = new ArrayList<>();
    for (NodeRunner node : nodes) {
      Thread thread = new Thread(() -> {
        try {
          node.shutDown(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "chaos-stop-" + node.name());
      thread.start();
      stopping.add(thread);
    }
    for (Thread thread : stopping) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    proxies.values().forEach(TcpProxy::close);
    links.values().forEach(ClusterLinks::close);
    synchronized (this) {
      if (redis != null) {
        redis.close();
        redis = null;
      }
    }
  }
}
