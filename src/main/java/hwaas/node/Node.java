package hwaas.node;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import hwaas.client.ClientGroup;
import hwaas.cluster.ClusterRegistry;
import hwaas.cluster.ClusterSetup;
import hwaas.cluster.ClusterView;
import hwaas.cluster.NodeInfoKeeper;
import hwaas.cluster.NodeMetadata;
import hwaas.http.HttpSettings;
import hwaas.http.HttpVerticle;
import hwaas.jobs.JobContract;
import hwaas.jobs.JobHandlers;
import hwaas.queue.JobsLeft;
import hwaas.queue.PausedTypes;
import hwaas.queue.QueueVerticle;
import hwaas.queue.PartitionCount;
import hwaas.queue.ServiceIdentity;
import hwaas.queue.StreamKeys;
import hwaas.redis.ClusterAddress;
import hwaas.redis.EmbeddedRedis;
import hwaas.redis.RedisAccess;
import hwaas.redis.RedisSettings;
import hwaas.redis.RedisStartException;
import hwaas.redis.SentinelFollower;
import hwaas.schedule.SchedulerVerticle;
import hwaas.stats.NodeCounters;
import hwaas.stats.NodeMeters;
import hwaas.stats.StatsVerticle;
import hwaas.support.AuditTrail;
import hwaas.support.ConfigException;
import hwaas.support.HostPorts;
import hwaas.support.NodeOutages;
import hwaas.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One HWaaS node: Redis (embedded unless given), the clustered Vert.x instance and its verticles, started
 * and stopped in the order that loses nothing. Its methods block, so they are called from the main thread
 * or a test thread, never from an event loop.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final NodeSettings settings;
  private final String nodeId;
  private final EmbeddedRedis embeddedRedis;
  private final HazelcastClusterManager clusterManager;
  private final Vertx vertx;
  private final NodeCounters counters = new NodeCounters();
  private final NodeOutages outages = NodeOutages.create();
  private final AuditTrail printedAudit;
  private final AuditTrail submittedAudit;
  private final long startedAtNanos;
  private String clientDeployment;
  private String workerDeployment;
  private String queueDeployment;
  private String schedulerDeployment;
  private HttpVerticle http;
  /** Which types are paused, as this node knows it: its HTTP verticle applies a pause before confirming it. */
  private final PausedTypes pausedTypes = new PausedTypes();
  private String httpDeployment;
  private String statsDeployment;
  private String followerDeployment;
  private Summary summary;
  /** Completed with why, if the node lost something it cannot run without (its embedded Redis for good). */
  private final CompletableFuture<String> lost = new CompletableFuture<>();
  private boolean learnedRedis;
  /** Puts this node's entry in the cluster's node list back if a split-brain merge lost it. */
  private NodeInfoKeeper nodeInfoKeeper;
  private String startPhases = "";
  private Set<String> jobTypes = Set.of();

  private Node(NodeSettings settings, String nodeId, EmbeddedRedis embeddedRedis, HazelcastClusterManager clusterManager,
               Vertx vertx, long startedAtNanos) {
    this.settings = settings;
    this.nodeId = nodeId;
    this.embeddedRedis = embeddedRedis;
    this.clusterManager = clusterManager;
    this.vertx = vertx;
    this.startedAtNanos = startedAtNanos;
    this.printedAudit = settings.audit().openPrinted();
    this.submittedAudit = settings.audit().openSubmitted();
  }

  /**
   * Starts a node, or fails having started nothing: {@link ConfigException} for bad input such as a port in
   * use, {@link RedisStartException} when Redis cannot be had, anything else for a cluster failure.
   */
  public static Node start(NodeSettings settings, JobHandlers handlers) {
    long startedAt = System.nanoTime();
    String nodeId = UUID.randomUUID().toString().substring(0, 8);
    int requestedHttpPort = settings.http().port();
    settings = settings.withHttp(Preflight.chooseHttpPort(settings.http()));
    settings.audit().checkWritable();
    EmbeddedRedis embedded = null;
    Vertx vertx = null;
    Node node = null;
    try {
      if (settings.redis().external().isPresent()) {
        RedisAccess.checkReachable(settings.redis().url());
      } else if (!settings.cluster().join()) {
        embedded = EmbeddedRedis.start(settings.redis().dataDir(), settings.redis().fsync(), settings.redis().maxMemory(),
            settings.redis().server());
        settings = settings.withRedis(settings.redis().withUrl(embedded.url()));
      }
      long redisReady = System.nanoTime();
      HazelcastClusterManager clusterManager = ClusterSetup.clusterManager(settings.cluster());
      vertx = ClusterSetup.start(settings.cluster(), clusterManager, metadata(nodeId, settings, embedded != null)).await();
      long clusterReady = System.nanoTime();
      boolean learned = settings.redis().url() == null;
      if (learned) {
        settings = settings.withRedis(learnRedis(vertx, settings));
        if (!ClusterAddress.isCluster(settings.redis().url()) && settings.queue().partitions() > 1) {
          throw new ConfigException("--partitions spreads the streams over a Redis Cluster's primaries, and the "
              + "cluster's Redis, " + settings.redis().redacted() + ", is not one: leave --partitions out");
        }
      } else {
        if (embedded == null) {
          checkEviction(vertx, settings);
        }
        String service = withRedis(vertx, settings, ServiceIdentity::claim);
        ClusterRegistry.register(vertx, new ClusterRegistry.Registration(RedisSettings.withoutPassword(settings.redis().url()),
            service, nodeId, settings.cluster().host(), embedded == null ? null : settings.redis().dataDir().toAbsolutePath().toString()),
            settings.cluster().name()).await();
      }
      if (ClusterAddress.isCluster(settings.redis().url())) {
        int requested = settings.queue().partitions();
        int partitions = withRedis(vertx, settings, (redis, keys) -> PartitionCount.settle(redis, keys, requested));
        settings = settings.withQueue(settings.queue().withPartitions(partitions));
      }
      node = new Node(settings, nodeId, embedded, clusterManager, vertx, startedAt);
      node.learnedRedis = learned;
      node.deploy(handlers, requestedHttpPort);
      node.watchMembership();
      node.nodeInfoKeeper = new NodeInfoKeeper(node.vertx, clusterManager);
      node.nodeInfoKeeper.start();
      if (embedded != null) {
        Node started = node;
        embedded.watch(() -> started.lost.complete("the embedded Redis exited and could not be started again on "
            + started.settings.redis().dataDir() + " (see its redis.log there)"));
      }
      node.startPhases = String.format(Locale.ROOT, "redis %.1f s, cluster %.1f s, verticles %.1f s",
          (redisReady - startedAt) / 1e9, (clusterReady - redisReady) / 1e9, (System.nanoTime() - clusterReady) / 1e9);
      return node;
    } catch (Exception e) { // await() rethrows checked failures too (a BindException from listen)
      if (node != null) {
        node.printedAudit.close();
        node.submittedAudit.close();
      }
      if (vertx != null) {
        closeQuietly(vertx);
      }
      if (embedded != null) {
        embedded.close();
      }
      if (causedByBind(e)) {
        // The HTTP port has its own retries (awaitHttp); a port given on the command line may be taken by now.
        throw new ConfigException("a port this node listens on is in use (--http-port " + settings.http().port()
            + ", --cluster-port " + (settings.cluster().port() == 0 ? "auto" : settings.cluster().port())
            + ", --event-bus-port " + (settings.cluster().eventBusPort() == 0 ? "auto" : settings.cluster().eventBusPort())
            + "): " + e.getMessage());
      }
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
    }
  }

  private static JsonObject metadata(String nodeId, NodeSettings settings, boolean ownsRedis) {
    return NodeMetadata.of(nodeId, settings.cluster().host(), settings.workers().count(), settings.clients().count(),
        settings.clients().rate(), settings.http().url(), ownsRedis);
  }

  /** Asks the node's Redis one thing on a client of its own, before the verticles (and their clients) exist. */
  private static <T> T withRedis(Vertx vertx, NodeSettings settings, BiFunction<Redis, StreamKeys, Future<T>> ask) {
    Redis redis = Redis.createClient(vertx, settings.redis().options());
    try {
      return ask.apply(redis, settings.queue().keys()).await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new RedisStartException("Redis at " + settings.redis().redacted() + " did not answer within 10 s", e);
    } finally {
      redis.close();
    }
  }

  /**
   * A Redis that evicts keys when full would silently drop streams, records or idempotency keys: refused at start
   * unless --allow-eviction. A Redis that does not let us ask (CONFIG disabled, as some hosted ones do) is trusted,
   * with a warning.
   */
  private static void checkEviction(Vertx vertx, NodeSettings settings) {
    String policy;
    try {
      policy = withRedis(vertx, settings, (redis, keys) -> redis.send(Request.cmd(Command.CONFIG).arg("GET").arg("maxmemory-policy"))
          .map(reply -> reply == null || reply.size() < 2 ? "unknown" : reply.get(1).toString()));
    } catch (RuntimeException e) {
      log.warn("cannot read maxmemory-policy of Redis at {} ({}); make sure it is noeviction, or jobs may vanish when it is full",
          settings.redis().redacted(), e.getMessage());
      return;
    }
    if (!policy.equals("noeviction") && !settings.redis().allowEviction()) {
      throw new RedisStartException("Redis at " + settings.redis().redacted() + " evicts keys when it is full (maxmemory-policy "
          + policy + "): streams, job records or idempotency keys could vanish without a trace. Set maxmemory-policy "
          + "noeviction on it (then a full Redis refuses writes and clients wait), or pass --allow-eviction to accept the risk");
    }
    if (!policy.equals("noeviction")) {
      log.warn("Redis at {} evicts keys when full (maxmemory-policy {}), allowed by --allow-eviction: jobs may vanish",
          settings.redis().redacted(), policy);
    }
  }

  /**
   * --join without --redis: the Redis some node of the cluster registered, with this node's password for it (from
   * --redis-password-file, or, for the embedded Redis of a node on this machine, from that node's private data
   * directory), checked to hold the cluster's service.
   */
  private static RedisSettings learnRedis(Vertx vertx, NodeSettings settings) {
    ClusterRegistry.Registration registered = ClusterRegistry.learn(vertx, Duration.ofSeconds(5)).await();
    if (registered == null) {
      throw new RedisStartException("--join found no running HWaaS node in cluster '" + settings.cluster().name()
          + "' (members " + settings.cluster().members() + "): start one without --join first, or pass --redis");
    }
    URI url = registered.url();
    boolean loopback = HostPorts.of(url, 6379).stream().allMatch(a -> a.host().equals("127.0.0.1") || a.host().equals("localhost"));
    if (loopback && !registered.host().equals(settings.cluster().host())) {
      throw new RedisStartException("the cluster's Redis is the embedded one of node " + registered.node()
          + " on " + registered.host() + ", which listens on loopback only: across machines, run one Redis "
          + "for the service and pass --redis to every node");
    }
    RedisAccess.checkReachable(url);
    RedisSettings redis = settings.redis().withUrl(url);
    if (redis.password() == null && registered.dataDir() != null) {
      // Readable by the user who runs that node only (0600 in a 0700 directory), and only if it names this address.
      Optional<URI> withPassword = EmbeddedRedis.runningIn(Path.of(registered.dataDir()))
          .filter(u -> u.getPort() == url.getPort() && Objects.equals(u.getHost(), url.getHost()));
      if (withPassword.isPresent()) {
        redis = redis.withUrl(withPassword.get());
      }
    }
    NodeSettings learned = settings.withRedis(redis);
    String service;
    try {
      service = withRedis(vertx, learned, ServiceIdentity::read);
    } catch (RedisStartException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RedisStartException("cannot use the cluster's Redis at " + redis.redacted() + " (" + e.getMessage()
          + "): if it needs a password, pass --redis-password-file FILE, or --redis URL (or HWAAS_REDIS) with it", e);
    }
    if (!registered.service().equals(service)) {
      throw new RedisStartException("the Redis at " + redis.redacted() + " does not hold the service that cluster '"
          + settings.cluster().name() + "' registered (service " + registered.service() + ", found " + service
          + "): refusing to work on it");
    }
    return redis;
  }

  /** A node whose embedded Redis serves others says so whenever one joins: stopping it stops their Redis. */
  private void watchMembership() {
    clusterManager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        int others = event.getMembers().size() - 1;
        if (embeddedRedis != null) {
          log.warn("a node joined from {}: {} other node(s) now use this node's embedded Redis {}; stopping this node "
              + "stops the service's Redis. In production, run Redis on its own and pass --redis to every node.",
              event.getMember().getAddress(), others, settings.redis().redacted());
        } else {
          log.info("a node joined from {}; the cluster has {} members", event.getMember().getAddress(), others + 1);
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        log.info("the node at {} left the cluster; {} member(s) remain", event.getMember().getAddress(), event.getMembers().size());
      }
    });
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Queue, workers and HTTP start side by side, and the clients as soon as the queue is there: the first
   * hello world does not wait for the HTTP server (the start-up block does).
   */
  private void deploy(JobHandlers handlers, int requestedHttpPort) {
    jobTypes = handlers.names();
    JobContract contract = JobContract.load(settings.limits().maxSleep());
    if (!contract.types().equals(handlers.names())) {
      throw new IllegalStateException("job types " + handlers.names() + " and the contract's " + contract.types() + " differ");
    }
    if (settings.redis().sentinels().isPresent()) {
      followerDeployment = vertx.deployVerticle(new SentinelFollower(settings.redis().sentinels().get())).await();
    }
    Future<String> queue = vertx.deployVerticle(new QueueVerticle(settings.redis(), settings.queue(), contract));
    Future<String> scheduler = vertx.deployVerticle(new SchedulerVerticle(settings.redis(), settings.queue().keys(),
        settings.queue().recordTtl(), settings.misfire()));
    Future<String> workers = Future.succeededFuture();
    if (settings.workers().count() > 0) {
      AtomicInteger n = new AtomicInteger();
      workers = vertx.deployVerticle(
          () -> new WorkerVerticle(settings.redis(), settings.queue(), settings.workers(), nodeId + "-w" + n.getAndIncrement(),
              handlers, counters, printedAudit, outages, pausedTypes),
          new DeploymentOptions().setInstances(settings.workers().count()));
    }
    http = httpVerticle(settings.http(), handlers, contract);
    Future<String> firstHttp = vertx.deployVerticle(http);
    queueDeployment = queue.await();
    schedulerDeployment = scheduler.await();
    workerDeployment = workers.await();
    if (settings.clients().count() > 0) {
      clientDeployment = ClientGroup.deploy(vertx, settings.clients(), settings.queue(), nodeId, counters, submittedAudit, outages)
          .await();
    }
    awaitHttp(firstHttp, handlers, contract, requestedHttpPort);
    AtomicReference<JsonArray> lastQueues = new AtomicReference<>();
    NodeMeters.bind(BackendRegistries.getNow(ClusterSetup.metricsRegistry(nodeId)), counters, handlers.names(), lastQueues);
    statsDeployment = vertx.deployVerticle(new StatsVerticle(settings.redis(), settings.queue(),
        clusterManager.getNodeInfo().metadata(), counters, List.copyOf(handlers.names()), lastQueues)).await();
  }

  private HttpVerticle httpVerticle(HttpSettings http, JobHandlers handlers, JobContract contract) {
    return new HttpVerticle(http, settings.redis(), settings.queue(), contract, handlers,
        new ClusterView(clusterManager, settings.cluster().name()), ClusterSetup.metricsRegistry(nodeId),
        settings.work().forNode(nodeId, settings.workers().maxAttempts(), settings.workers().retryBackoff()), pausedTypes);
  }

  /**
   * Waits for the HTTP verticle. A port chosen automatically (none given, or 0) can be taken meanwhile, by a node
   * starting at the same moment or, for 0, by any outgoing connection given that port as its own: then another free
   * one is used, and the cluster is told the new address.
   */
  private void awaitHttp(Future<String> firstAttempt, JobHandlers handlers, JobContract contract, int requestedHttpPort) {
    boolean chosenHere = requestedHttpPort == HttpSettings.AUTO_PORT || requestedHttpPort == 0;
    HttpSettings httpSettings = settings.http();
    Future<String> deployment = firstAttempt;
    for (int attempt = 1; ; attempt++) {
      try {
        httpDeployment = deployment.await();
        break;
      } catch (Exception e) {
        if (!chosenHere || !causedByBind(e) || attempt == 5) {
          throw e;
        }
        int taken = httpSettings.port();
        httpSettings = requestedHttpPort == 0 ? Preflight.chooseHttpPort(httpSettings.withPort(0))
            : Preflight.chooseHttpPort(httpSettings.withPort(HttpSettings.AUTO_PORT), taken + 1);
        log.info("HTTP port {} was taken meanwhile; this node uses {}", taken, httpSettings.port());
        http = httpVerticle(httpSettings, handlers, contract);
        deployment = vertx.deployVerticle(http);
      }
    }
    if (httpSettings.port() != settings.http().port()) {
      var info = clusterManager.getNodeInfo();
      Promise<Void> published = Promise.promise();
      clusterManager.setNodeInfo(new NodeInfo(info.host(), info.port(),
          info.metadata().copy().put("http", httpSettings.url())), published);
      published.future().await();
    }
  }

  /**
   * Stops in the order that loses nothing: clients first (their last submissions get their replies), then
   * workers (they drain what is already in the stream and acknowledge it), then the rest. Idempotent.
   */
  public synchronized Summary stop() {
    if (summary != null) {
      return summary;
    }
    if (nodeInfoKeeper != null) {
      nodeInfoKeeper.stop();
    }
    undeploy(clientDeployment, "clients");
    undeploy(workerDeployment, "workers");
    undeploy(httpDeployment, "http");
    undeploy(statsDeployment, "stats");
    undeploy(schedulerDeployment, "schedules");
    undeploy(queueDeployment, "queue");
    undeploy(followerDeployment, "sentinel follower");
    long pending = countPending();
    if (embeddedRedis != null) {
      try {
        ClusterRegistry.unregister(vertx, nodeId).await(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("node {}: could not withdraw its Redis from the cluster registry", nodeId, e);
      }
    }
    closeQuietly(vertx);
    if (embeddedRedis != null) {
      embeddedRedis.close();
    }
    printedAudit.close();
    submittedAudit.close();
    summary = new Summary(counters.submitted.sum(), counters.printed.sum(), pending,
        counters.failed.sum() + counters.unconfirmed.sum(), (System.nanoTime() - startedAtNanos) / 1e9);
    return summary;
  }

  private void undeploy(String deploymentId, String what) {
    if (deploymentId == null) {
      return;
    }
    try {
      vertx.undeploy(deploymentId).await(4, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("node {}: stopping the {} did not finish cleanly", nodeId, what, e);
    }
  }

  private long countPending() {
    Redis redis = Redis.createClient(vertx, settings.redis().options());
    try {
      return JobsLeft.count(redis, settings.queue().partitionKeys(), jobTypes).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("node {}: could not count the entries left in the stream", nodeId, e);
      return -1;
    } finally {
      redis.close();
    }
  }

  private static void closeQuietly(Vertx vertx) {
    try {
      vertx.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("closing Vert.x (and leaving the cluster) did not finish cleanly", e);
    }
  }

  /** Completes with why, if the node lost something it cannot run without; the caller then stops it. */
  public CompletionStage<String> lost() {
    return lost;
  }

  /** The start-up block: what this node started and where. */
  public String banner() {
    return Banner.of(this);
  }

  public String nodeId() {
    return nodeId;
  }

  public NodeSettings settings() {
    return settings;
  }

  public Vertx vertx() {
    return vertx;
  }

  public NodeCounters counters() {
    return counters;
  }

  public int httpPort() {
    return http.port();
  }

  public Optional<EmbeddedRedis> embeddedRedis() {
    return Optional.ofNullable(embeddedRedis);
  }

  /** Host and port this node's Hazelcast member listens on. */
  public String clusterAddress() {
    var address = clusterManager.getHazelcastInstance().getCluster().getLocalMember().getAddress();
    return address.getHost() + ":" + address.getPort();
  }

  public int clusterSize() {
    return clusterManager.getNodes().size();
  }

  /** How long each start-up phase took, for the start-up block. */
  public String startPhases() {
    return startPhases;
  }

  /** Whether this node took the cluster's Redis on --join rather than starting or being given one. */
  public boolean learnedRedis() {
    return learnedRedis;
  }

  public String eventBusAddress() {
    var info = clusterManager.getNodeInfo();
    return info.host() + ":" + info.port();
  }

  public double startSeconds() {
    return (System.nanoTime() - startedAtNanos) / 1e9;
  }
}
