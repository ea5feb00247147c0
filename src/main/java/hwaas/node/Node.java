package hwaas.node;

import hwaas.client.ClientVerticle;
import hwaas.cluster.ClusterSetup;
import hwaas.config.ConfigException;
import hwaas.config.HwaasConfig;
import hwaas.http.HttpVerticle;
import hwaas.queue.QueueVerticle;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import hwaas.stats.NodeCounters;
import hwaas.worker.AuditTrail;
import hwaas.worker.JobHandlers;
import hwaas.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
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
  private Summary summary;
  private java.util.Set<String> jobTypes = java.util.Set.of();

  private Node(HwaasConfig config, EmbeddedRedis embeddedRedis, HazelcastClusterManager clusterManager, Vertx vertx,
               long startedAtNanos) {
    this.config = config;
    this.nodeId = UUID.randomUUID().toString().substring(0, 8);
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
    Preflight.checkHttpPortFree(config);
    EmbeddedRedis embedded = null;
    Vertx vertx = null;
    try {
      if (config.externalRedis().isPresent()) {
        Preflight.checkRedisReachable(config.redisUrl());
      } else {
        embedded = EmbeddedRedis.start(config.dataDir(), config.fsync());
        config = config.withRedisUrl(embedded.url());
      }
      HazelcastClusterManager clusterManager = ClusterSetup.clusterManager(config);
      vertx = ClusterSetup.start(config, clusterManager).await();
      Node node = new Node(config, embedded, clusterManager, vertx, startedAt);
      node.deploy(handlers);
      return node;
    } catch (RuntimeException e) {
      if (vertx != null) {
        closeQuietly(vertx);
      }
      if (embedded != null) {
        embedded.close();
      }
      if (causedByBind(e)) {
        throw new ConfigException("--http-port " + config.httpPort() + " on " + config.httpHost() + " is in use: " + e.getMessage());
      }
      throw e;
    }
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private void deploy(JobHandlers handlers) {
    queueDeployment = vertx.deployVerticle(new QueueVerticle(config, handlers.names())).await();
    jobTypes = handlers.names();
    if (config.workers() > 0) {
      AtomicInteger n = new AtomicInteger();
      workerDeployment = vertx.deployVerticle(
          () -> new WorkerVerticle(config, nodeId + "-w" + n.getAndIncrement(), handlers, counters, printedAudit, outages),
          new DeploymentOptions().setInstances(config.workers())).await();
    }
    http = new HttpVerticle(config, handlers);
    httpDeployment = vertx.deployVerticle(http).await();
    if (config.clients() > 0) {
      AtomicInteger n = new AtomicInteger();
      clientDeployment = vertx.deployVerticle(
          () -> new ClientVerticle(config, nodeId + "-c" + n.getAndIncrement(), counters, submittedAudit, outages),
          new DeploymentOptions().setInstances(config.clients())).await();
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
    undeploy(queueDeployment, "queue");
    long pending = countPending();
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
      return StreamGroup.unacknowledged(redis, new StreamKeys(config.keyPrefix()), jobTypes).await(2, TimeUnit.SECONDS);
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

  public String eventBusAddress() {
    var info = clusterManager.getNodeInfo();
    return info.host() + ":" + info.port();
  }

  public double startSeconds() {
    return (System.nanoTime() - startedAtNanos) / 1e9;
  }
}
