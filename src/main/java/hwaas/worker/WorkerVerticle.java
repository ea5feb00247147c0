package hwaas.worker;

import hwaas.config.HwaasConfig;
import hwaas.node.OutageLog;
import hwaas.queue.Job;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import hwaas.stats.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One consumer of the "workers" group: reads a batch of jobs, runs each through its handler, then
 * acknowledges exactly the ones that finished. A job is never acknowledged before it ran, so a crash
 * can repeat a job but never lose one.
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
  private final StreamKeys keys;
  private final OutageLog redisOutage;
  private final OutageLog jobFailures;
  private final Promise<Void> drained = Promise.promise();
  private Redis redis;
  private StreamReader reader;
  private boolean stopping;
  private long drainUntil;
  private int failedAttempts;
  private long heldUnacknowledged;

  public WorkerVerticle(HwaasConfig config, String consumer, JobHandlers handlers, NodeCounters counters) {
    this.config = config;
    this.consumer = consumer;
    this.handlers = handlers;
    this.counters = counters;
    this.keys = new StreamKeys(config.keyPrefix());
    this.redisOutage = new OutageLog(log, "worker " + consumer);
    this.jobFailures = new OutageLog(log, "worker " + consumer + " jobs");
  }

  @Override
  public Future<?> start() {
    redis = Redis.createClient(vertx, config.redisOptions());
    return StreamGroup.ensure(redis, keys)
        .compose(v -> connect())
        .onSuccess(v -> readLoop())
        .onFailure(err -> redis.close());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    drainUntil = System.currentTimeMillis() + DRAIN_MILLIS;
    return drained.future()
        .compose(v -> heldUnacknowledged == 0 && reader != null ? reader.leaveGroup() : Future.succeededFuture())
        .recover(err -> {
          log.warn("worker {}: could not leave the consumer group; XAUTOCLAIM recovery will still find nothing held", consumer, err);
          return Future.succeededFuture();
        })
        .eventually(() -> reader != null ? reader.close() : Future.succeededFuture())
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
        .compose(entries -> runAll(entries)
            .compose(reader::ack)
            .map(v -> entries.size()))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            redisOutage.success();
            failedAttempts = 0;
            if (stopping && ar.result() == 0) {
              drained.tryComplete();
            } else {
              readLoop();
            }
          } else {
            redisOutage.failure("read or acknowledge", ar.cause());
            retryAfterBackoff(ar.cause());
          }
        });
  }

  private Future<List<String>> runAll(List<StreamReader.Entry> entries) {
    List<String> finished = new ArrayList<>(entries.size());
    List<Future<?>> runs = new ArrayList<>(entries.size());
    for (StreamReader.Entry entry : entries) {
      if (entry.job() == null) {
        // Only a writer other than a queue verticle can produce this: it can never run, so it is not kept.
        log.error("worker {}: stream entry {} is not a job ({}); acknowledged without running", consumer, entry.entryId(), entry.error());
        finished.add(entry.entryId());
        continue;
      }
      runs.add(run(entry.job()).onComplete(ar -> {
        if (ar.succeeded()) {
          jobFailures.success();
          finished.add(entry.entryId());
          if (Job.PRINT.equals(entry.job().type())) {
            counters.printed.increment();
          }
        } else {
          heldUnacknowledged++;
          counters.failed.increment();
          jobFailures.failure("job " + entry.job().id() + " (entry " + entry.entryId() + ")", ar.cause());
        }
      }));
    }
    return Future.join(runs).transform(ar -> Future.succeededFuture(finished));
  }

  private Future<?> run(Job job) {
    try {
      return handlers.forType(job.type())
          .map(handler -> handler.run(job))
          .orElseGet(() -> Future.failedFuture("no handler for job type '" + job.type() + "'"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void retryAfterBackoff(Throwable cause) {
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
              redisOutage.failure("reconnect", ar.cause());
              retryAfterBackoff(ar.cause());
            }
          });
    });
  }
}
