package hwaas.worker;

import hwaas.jobs.JobHandlers;
import hwaas.jobs.JobType;
import hwaas.support.AuditTrail;

import hwaas.support.NodeOutages;
import hwaas.queue.PartitionedRecords;
import hwaas.queue.PausedTypes;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueSettings;
import hwaas.redis.RedisClients;
import hwaas.redis.RedisSettings;
import hwaas.redis.SentinelFollower;
import hwaas.queue.StreamGroup;
import hwaas.queue.Partitions;
import hwaas.queue.StreamKeys;
import hwaas.stats.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One worker: a consumer of the "workers" group on every job type's stream, one {@link TypeLane} each.
 * A lane reads a batch, runs each job through its handler, then acknowledges exactly the ones that
 * finished: a crash can repeat a job but never lose one. The worker also follows which types are paused,
 * cluster-wide: told at once over the event bus, and checked in Redis every second in case a message was missed.
 */
public final class WorkerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);
  private static final long PAUSE_REFRESH_MILLIS = 1_000;

  private final RedisSettings redisSettings;
  private final QueueSettings queue;
  private final WorkerSettings settings;
  private final String consumer;
  private final JobHandlers handlers;
  private final NodeCounters counters;
  private final AuditTrail audit;
  private final NodeOutages outages;
  private final StreamKeys keys;
  private final PausedTypes paused;
  private final List<TypeLane> lanes = new ArrayList<>();
  private final RunningJobs running = new RunningJobs();
  private Redis redis;

  public WorkerVerticle(RedisSettings redisSettings, QueueSettings queue, WorkerSettings settings, String consumer,
                        JobHandlers handlers, NodeCounters counters, AuditTrail audit, NodeOutages outages,
                        PausedTypes paused) {
    this.redisSettings = redisSettings;
    this.paused = paused;
    this.queue = queue;
    this.settings = settings;
    this.consumer = consumer;
    this.handlers = handlers;
    this.counters = counters;
    this.audit = audit;
    this.outages = outages;
    this.keys = queue.keys();
  }

  @Override
  public Future<?> start() {
    Partitions partitions = queue.partitionKeys();
    // Each lane holds a connection of its own for its blocking reads, beside the pooled ones the lanes share.
    int lanesHere = handlers.byType().size() * partitions.count();
    redis = RedisClients.create(vertx, redisSettings.options().setMaxPoolSize(8 + lanesHere));
    ProgressReports progress = new ProgressReports(vertx, redis, new PartitionedRecords(queue.partitionKeys(), queue.recordTtl()), outages.workers(), running);
    // Each partition keeps its share of the dead letters, so that the service keeps --max-dead in all.
    QueueSettings perPartition = queue.withMaxDead(partitions.share(queue.maxDead()));
    for (JobType type : handlers.byType().values()) {
      JobRunner runner = new JobRunner(vertx, consumer, type, counters, audit, outages.jobs(), running, progress::report);
      for (StreamKeys partition : partitions.all()) {
        lanes.add(new TypeLane(vertx, redis, settings, perPartition, partition, type, consumer, runner, paused,
            outages.workers(), counters));
      }
    }
    return StreamGroup.ensureAll(redis, partitions, handlers.names())
        .compose(v -> refreshPaused())
        .compose(v -> vertx.eventBus().<JsonObject>consumer(QueueAddresses.PAUSED, m -> applyPause(m.body())).completion())
        .compose(v -> vertx.eventBus().<JsonObject>consumer(QueueAddresses.CANCEL, m -> cancel(m.body())).completion())
        .compose(v -> vertx.eventBus().localConsumer(SentinelFollower.PRIMARY_MOVED, m -> lanes.forEach(TypeLane::primaryMoved))
            .completion())
        .compose(v -> Future.all(lanes.stream().map(TypeLane::start).toList()))
        .onSuccess(v -> vertx.setPeriodic(PAUSE_REFRESH_MILLIS, t -> refreshPaused()
            .onFailure(err -> outages.workers().failure(consumer + ": reading paused types", err))))
        .onFailure(err -> redis.close());
  }

  @Override
  public Future<?> stop() {
    return Future.join(lanes.stream().map(TypeLane::stop).toList())
        .eventually(() -> redis.close());
  }

  private void applyPause(JsonObject change) {
    String type = change.getString("type");
    boolean isPaused = Boolean.TRUE.equals(change.getBoolean("paused"));
    paused.set(type, isPaused); // the node that took the change has set it already: the same state again
    if (!isPaused) {
      lanes.stream().filter(lane -> lane.type().equals(type)).forEach(TypeLane::resumed);
    }
    log.debug("worker {}: {} is now {}", consumer, type, isPaused ? "paused" : "running");
  }

  private void cancel(JsonObject notice) {
    String id = notice.getString("id");
    if (id != null && running.cancel(id)) {
      log.debug("worker {}: job {} canceled while it ran", consumer, id);
    }
  }

  private Future<Void> refreshPaused() {
    long sentAt = System.nanoTime();
    return redis.send(Request.cmd(Command.SMEMBERS).arg(keys.paused())).map(members -> {
      Set<String> now = new HashSet<>();
      for (Response m : members) {
        now.add(m.toString());
      }
      paused.refresh(now, sentAt);
      return null;
    });
  }
}
