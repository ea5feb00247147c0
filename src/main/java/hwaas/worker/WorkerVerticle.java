package hwaas.worker;

import hwaas.config.HwaasConfig;
import hwaas.node.NodeOutages;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import hwaas.stats.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One consumer of the "workers" group: reads a batch of jobs, runs each through its handler, then
 * acknowledges exactly the ones that finished. A job is never acknowledged before it ran, so a crash
 * can repeat a job but never lose one. On a timer it also claims jobs that others abandoned or that
 * failed and are due for another attempt ({@link Reclaimer}).
 */
public final class WorkerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WorkerVerticle.class);
  /** On stop, how long a worker keeps draining entries that are already in the stream. */
  private static final long DRAIN_MILLIS = 2_000;
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  private final HwaasConfig config;
  private final String consumer;
  private final JobHandlers handlers;
  private final NodeCounters counters;
  private final AuditTrail audit;
  private final StreamKeys keys;
  private final NodeOutages outages;
  private final Promise<Void> drained = Promise.promise();
  private Redis redis;
  private StreamReader reader;
  private JobRunner runner;
  private Reclaimer reclaimer;
  private boolean stopping;
  private boolean reclaiming;
  private long drainUntil;
  private int failedAttempts;

  public WorkerVerticle(HwaasConfig config, String consumer, JobHandlers handlers, NodeCounters counters, AuditTrail audit,
                        NodeOutages outages) {
    this.config = config;
    this.consumer = consumer;
    this.handlers = handlers;
    this.counters = counters;
    this.audit = audit;
    this.keys = new StreamKeys(config.keyPrefix());
    this.outages = outages;
  }

  @Override
  public Future<?> start() {
    redis = Redis.createClient(vertx, config.redisOptions());
    runner = new JobRunner(vertx, consumer, handlers, counters, config.jobTimeout(), audit, outages.jobs());
    reclaimer = new Reclaimer(redis, keys, consumer, config.visibilityTimeout(), config.retryBackoff(), config.maxAttempts());
    return StreamGroup.ensure(redis, keys)
        .compose(v -> connect())
        .onSuccess(v -> {
          readLoop();
          long period = reclaimer.periodMillis();
          // Jittered start, so the workers of a node do not all scan at the same moment.
          vertx.setPeriodic(1 + ThreadLocalRandom.current().nextLong(period), period, t -> reclaimDue());
        })
        .onFailure(err -> redis.close());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    drainUntil = System.currentTimeMillis() + DRAIN_MILLIS;
    return drained.future()
        // Leaving is safe only when nothing of ours is pending: XGROUP DELCONSUMER forgets what a consumer holds.
        .compose(v -> reader.pendingOfThisConsumer())
        .compose(held -> held == 0 ? reader.leaveGroup() : Future.succeededFuture())
        .recover(err -> {
          log.warn("worker {}: could not leave the consumer group; what it holds stays claimable", consumer, err);
          return Future.succeededFuture();
        })
        .eventually(() -> reader.close())
        .eventually(() -> redis.close());
  }

  private Future<Void> connect() {
    return redis.connect().map(connection -> {
      reader = new StreamReader(connection, keys, consumer, config.batchSize(), config.blockTimeout());
      return null;
    });
  }

  private void readLoop() {
    if (stopping && System.currentTimeMillis() > drainUntil) {
      drained.tryComplete();
      return;
    }
    reader.next(!stopping)
        .compose(entries -> runner.runAll(entries)
            .compose(reader::settle)
            .map(v -> entries.size()))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            outages.workers().success();
            failedAttempts = 0;
            if (stopping && ar.result() == 0) {
              drained.tryComplete();
            } else {
              readLoop();
            }
          } else {
            outages.workers().failure(consumer + ": read or acknowledge", ar.cause());
            retryAfterBackoff();
          }
        });
  }

  private void reclaimDue() {
    if (reclaiming || stopping) {
      return;
    }
    reclaiming = true;
    reclaimer.claimDue()
        .compose(entries -> entries.isEmpty()
            ? Future.succeededFuture()
            : runner.runAll(entries).compose(settlement -> redis.batch(settlement.requests(keys, true))))
        .onComplete(ar -> {
          reclaiming = false;
          if (ar.succeeded()) {
            outages.workers().success();
          } else {
            outages.workers().failure(consumer + ": claiming overdue jobs", ar.cause());
          }
        });
  }

  private void retryAfterBackoff() {
    long delay = Math.min(MAX_BACKOFF_MILLIS, 50L << Math.min(failedAttempts++, 10));
    vertx.setTimer(delay, t -> {
      if (stopping) {
        drained.tryComplete();
        return;
      }
      // The dedicated connection may be dead (Redis restarted) and the group gone with it: start afresh.
      reader.close()
          .transform(ignored -> StreamGroup.ensure(redis, keys))
          .compose(v -> connect())
          .onComplete(ar -> {
            if (ar.succeeded()) {
              readLoop();
            } else {
              outages.workers().failure(consumer + ": reconnect", ar.cause());
              retryAfterBackoff();
            }
          });
    });
  }
}
