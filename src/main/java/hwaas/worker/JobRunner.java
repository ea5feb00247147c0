package hwaas.worker;

import hwaas.node.OutageLog;
import hwaas.queue.Job;
import hwaas.stats.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a batch of entries through their handlers, each failure isolated from the others, within a time
 * limit per batch attempt, and says which finished and which failed (with why). An audit line, when asked
 * for, is written before a job counts as finished.
 */
final class JobRunner {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  private final Vertx vertx;
  private final String consumer;
  private final JobType type;
  private final NodeCounters counters;
  private final Duration timeout;
  private final AuditTrail audit;
  private final OutageLog failures;

  JobRunner(Vertx vertx, String consumer, JobType type, NodeCounters counters, AuditTrail audit, OutageLog failures) {
    this.vertx = vertx;
    this.consumer = consumer;
    this.type = type;
    this.counters = counters;
    this.timeout = type.timeout();
    this.audit = audit;
    this.failures = failures;
  }

  Future<Settlement> runAll(List<Entry> entries) {
    List<Settlement.Done> finished = new ArrayList<>(entries.size());
    List<Settlement.Failed> failed = new ArrayList<>();
    List<Promise<JsonObject>> outcomes = new ArrayList<>(entries.size());
    List<Future<?>> all = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      if (entry.job() == null) {
        // Only a writer other than a queue verticle can produce this: it can never run, so it is not kept.
        log.error("worker {}: stream entry {} is not a job ({}); acknowledged without running", consumer, entry.entryId(), entry.error());
        finished.add(new Settlement.Done(entry, null));
        continue;
      }
      Promise<JsonObject> outcome = Promise.promise();
      outcomes.add(outcome);
      run(entry.job()).compose(result -> audit.record(entry.job().id()).map(v -> result)).onComplete(ar -> {
        if (ar.succeeded()) {
          outcome.tryComplete(ar.result());
        } else {
          outcome.tryFail(ar.cause());
        }
      });
      all.add(outcome.future().onComplete(ar -> {
        if (ar.succeeded()) {
          failures.success();
          finished.add(new Settlement.Done(entry, ar.result()));
          if (Job.PRINT.equals(entry.job().type())) {
            counters.printedJob(entry.job().seq(), entry.job().sentAt(), System.currentTimeMillis());
          }
        } else {
          String error = String.valueOf(ar.cause().getMessage());
          failed.add(new Settlement.Failed(entry, error));
          counters.failed.increment();
          failures.failure(consumer + ": job " + entry.job().id() + " (entry " + entry.entryId() + ", attempt " + entry.deliveries() + ")", ar.cause());
        }
      }));
    }
    if (all.isEmpty()) {
      return Future.succeededFuture(new Settlement(type, finished, failed));
    }
    long timer = vertx.setTimer(timeout.toMillis(), t -> outcomes.forEach(o ->
        o.tryFail("did not finish within the job timeout of " + timeout.toMillis() + " ms")));
    return Future.join(all).transform(ar -> {
      vertx.cancelTimer(timer);
      return Future.succeededFuture(new Settlement(type, finished, failed));
    });
  }

  private Future<JsonObject> run(Job job) {
    try {
      return type.handler().run(job);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
