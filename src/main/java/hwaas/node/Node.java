package hwaas.node;

import hwaas.client.ClientGroup;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import hwaas.cluster.ClusterRegistry;
import hwaas.cluster.ClusterSetup;
import hwaas.cluster.ClusterView;
import hwaas.cluster.NodeMetadata;
import hwaas.config.ConfigException;
import hwaas.config.HwaasConfig;
import hwaas.http.HttpVerticle;
import hwaas.queue.QueueVerticle;
import hwaas.queue.JobsLeft;
import hwaas.queue.StreamKeys;
import hwaas.stats.NodeCounters;
import hwaas.stats.NodeMeters;
import hwaas.stats.StatsVerticle;
import io.vertx.core.json.JsonArray;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import hwaas.worker.AuditTrail;
import hwaas.worker.JobHandlers;
import hwaas.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HWaaS node: Redis (embedded unless given), the clustered Vert.x instance and its verticles, started
 * and stopped in the order that loses nothing. Its methods block, so they are called from the main thread
 * or a test thread, never from an event loop.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final HwaasConfig config;
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
  private HttpVerticle http;
  private String httpDeployment;
  private String statsDeployment;
  private Summary summary;
  private boolean learnedRedis;
  private String startPhases = "";
  private java.util.Set<String> jobTypes = java.util.Set.of();

  private Node(HwaasConfig config, String nodeId, EmbeddedRedis embeddedRedis, HazelcastClusterManager clusterManager,
               Vertx vertx, long startedAtNanos) {
    this.config = config;
    this.nodeId = nodeId;
    this.embeddedRedis = embeddedRedis;
    this.clusterManager = clusterManager;
    this.vertx = vertx;
    this.startedAtNanos = startedAtNanos;
    this.printedAudit = config.auditFile().map(AuditTrail::appendingTo).orElse(AuditTrail.NONE);
    this.submittedAudit = config.auditFile().map(f -> AuditTrail.appendingTo(AuditTrail.submittedFile(f))).orElse(AuditTrail.NONE);
  }

  /**
   * Starts a node, or fails having started nothing: {@link ConfigException} for bad input such as a port in
   * use, {@link RedisStartException} when Redis cannot be had, anything else for a cluster failure.
   */
  public static Node start(HwaasConfig config, JobHandlers handlers) {
    long startedAt = System.nanoTime();
    String nodeId = UUID.randomUUID().toString().substring(0, 8);
    boolean autoHttpPort = config.httpPort() == HwaasConfig.AUTO_PORT;
    config = Preflight.chooseHttpPort(config);
    Preflight.checkAuditWritable(config);
    EmbeddedRedis embedded = null;
    Vertx vertx = null;
    Node node = null;
    try {
      if (config.externalRedis().isPresent()) {
        Preflight.checkRedisReachable(config.redisUrl());
      } else if (!config.join()) {
        embedded = EmbeddedRedis.start(config.dataDir(), config.fsync());
        config = config.withRedisUrl(embedded.url());
      }
      long redisReady = System.nanoTime();
      HazelcastClusterManager clusterManager = ClusterSetup.clusterManager(config);
      vertx = ClusterSetup.start(config, clusterManager, NodeMetadata.of(nodeId, config, embedded != null)).await();
      long clusterReady = System.nanoTime();
      boolean learned = config.redisUrl() == null;
      if (learned) {
        config = config.withRedisUrl(learnRedis(vertx, config));
      } else {
        ClusterRegistry.register(vertx, config.redisUrl(), nodeId, config.clusterHost(), config.clusterName()).await();
      }
      node = new Node(config, nodeId, embedded, clusterManager, vertx, startedAt);
      node.learnedRedis = learned;
      node.deploy(handlers, autoHttpPort);
      node.watchMembership();
      node.startPhases = String.format(java.util.Locale.ROOT, "redis %.1f s, cluster %.1f s, verticles %.1f s",
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
        throw new ConfigException("--http-port " + config.httpPort() + " on " + config.httpHost() + " is in use: " + e.getMessage());
      }
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
    }
  }

  /** --join without --redis: the Redis some node of the cluster registered. */
  private static URI learnRedis(Vertx vertx, HwaasConfig config) {
    JsonObject registered = ClusterRegistry.learn(vertx, Duration.ofSeconds(5)).await();
    if (registered == null) {
      throw new RedisStartException("--join found no running HWaaS node in cluster '" + config.clusterName()
          + "' (members " + config.members() + "): start one without --join first, or pass --redis");
    }
    URI url = URI.create(registered.getString("url"));
    boolean loopback = url.getHost().equals("127.0.0.1") || url.getHost().equals("localhost");
    if (loopback && !registered.getString("host").equals(config.clusterHost())) {
      throw new RedisStartException("the cluster's Redis is the embedded one of node " + registered.getString("node")
          + " on " + registered.getString("host") + ", which listens on loopback only: across machines, run one Redis "
          + "for the service and pass --redis to every node");
    }
    Preflight.checkRedisReachable(url);
    return url;
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
              event.getMember().getAddress(), others, config.redisUrl());
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
  private void deploy(JobHandlers handlers, boolean autoHttpPort) {
    jobTypes = handlers.names();
    Future<String> queue = vertx.deployVerticle(new QueueVerticle(config, handlers.names()));
    Future<String> workers = Future.succeededFuture();
    if (config.workers() > 0) {
      AtomicInteger n = new AtomicInteger();
      workers = vertx.deployVerticle(
          () -> new WorkerVerticle(config, nodeId + "-w" + n.getAndIncrement(), handlers, counters, printedAudit, outages),
          new DeploymentOptions().setInstances(config.workers()));
    }
    http = new HttpVerticle(config, handlers, new ClusterView(clusterManager), ClusterSetup.metricsRegistry(nodeId));
    Future<String> firstHttp = vertx.deployVerticle(http);
    queueDeployment = queue.await();
    workerDeployment = workers.await();
    if (config.clients() > 0) {
      clientDeployment = ClientGroup.deploy(vertx, config, nodeId, counters, submittedAudit, outages).await();
    }
    awaitHttp(firstHttp, handlers, autoHttpPort);
    AtomicReference<JsonArray> lastQueues = new AtomicReference<>();
    NodeMeters.bind(BackendRegistries.getNow(ClusterSetup.metricsRegistry(nodeId)), counters, handlers.names(), lastQueues);
    statsDeployment = vertx.deployVerticle(new StatsVerticle(config, clusterManager.getNodeInfo().metadata(), counters,
        List.copyOf(handlers.names()), lastQueues)).await();
  }

  /**
   * Waits for the HTTP verticle. A port chosen automatically can be taken by a node starting at the same moment:
   * then the next free one is used, and the cluster is told the new address.
   */
  private void awaitHttp(Future<String> firstAttempt, JobHandlers handlers, boolean autoHttpPort) {
    HwaasConfig httpConfig = config;
    Future<String> deployment = firstAttempt;
    for (int attempt = 1; ; attempt++) {
      try {
        httpDeployment = deployment.await();
        break;
      } catch (Exception e) {
        if (!autoHttpPort || !causedByBind(e) || attempt == 5) {
          throw e;
        }
        int taken = httpConfig.httpPort();
        httpConfig = Preflight.chooseHttpPort(httpConfig.withHttpPort(HwaasConfig.AUTO_PORT), taken + 1);
        log.info("HTTP port {} was taken meanwhile; this node uses {}", taken, httpConfig.httpPort());
        http = new HttpVerticle(httpConfig, handlers, new ClusterView(clusterManager), ClusterSetup.metricsRegistry(nodeId));
        deployment = vertx.deployVerticle(http);
      }
    }
    if (httpConfig.httpPort() != config.httpPort()) {
      var info = clusterManager.getNodeInfo();
      Promise<Void> published = Promise.promise();
      clusterManager.setNodeInfo(new NodeInfo(info.host(), info.port(),
          info.metadata().copy().put("http", "http://" + httpConfig.httpHost() + ":" + httpConfig.httpPort() + "/")), published);
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
    undeploy(clientDeployment, "clients");
    undeploy(workerDeployment, "workers");
    undeploy(httpDeployment, "http");
    undeploy(statsDeployment, "stats");
    undeploy(queueDeployment, "queue");
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
    Redis redis = Redis.createClient(vertx, config.redisOptions());
    try {
      return JobsLeft.count(redis, new StreamKeys(config.keyPrefix()), jobTypes).await(10, TimeUnit.SECONDS);
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

  public String nodeId() {
    return nodeId;
  }

  public HwaasConfig config() {
    return config;
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
