package hwaas.worker;

import hwaas.node.OutageLog;
import hwaas.queue.Job;
import hwaas.stats.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a batch of entries through their handlers, each failure isolated from the others, within a time
 * limit per batch attempt, and says which finished and which failed (with why). An audit line, when asked
 * for, is written before a job counts as finished.
 */
final class JobRunner {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  private final Vertx vertx;
  private final String consumer;
  private final JobHandlers handlers;
  private final NodeCounters counters;
  private final Duration timeout;
  private final AuditTrail audit;
  private final OutageLog failures;

  JobRunner(Vertx vertx, String consumer, JobHandlers handlers, NodeCounters counters, Duration timeout, AuditTrail audit,
            OutageLog failures) {
    this.vertx = vertx;
    this.consumer = consumer;
    this.handlers = handlers;
    this.counters = counters;
    this.timeout = timeout;
    this.audit = audit;
    this.failures = failures;
  }

  Future<Settlement> runAll(List<Entry> entries) {
    List<String> finished = new ArrayList<>(entries.size());
    Map<String, String> failed = new HashMap<>();
    List<Promise<Object>> outcomes = new ArrayList<>(entries.size());
    List<Future<?>> all = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      if (entry.job() == null) {
        // Only a writer other than a queue verticle can produce this: it can never run, so it is not kept.
        log.error("worker {}: stream entry {} is not a job ({}); acknowledged without running", consumer, entry.entryId(), entry.error());
        finished.add(entry.entryId());
        continue;
      }
      Promise<Object> outcome = Promise.promise();
      outcomes.add(outcome);
      run(entry.job()).compose(r -> audit.record(entry.job().id())).onComplete(ar -> {
        if (ar.succeeded()) {
          outcome.tryComplete();
        } else {
          outcome.tryFail(ar.cause());
        }
      });
      all.add(outcome.future().onComplete(ar -> {
        if (ar.succeeded()) {
          failures.success();
          finished.add(entry.entryId());
          if (Job.PRINT.equals(entry.job().type())) {
            counters.printed.increment();
          }
        } else {
          String error = String.valueOf(ar.cause().getMessage());
          failed.put(entry.entryId(), error);
          counters.failed.increment();
          failures.failure(consumer + ": job " + entry.job().id() + " (entry " + entry.entryId() + ", attempt " + entry.deliveries() + ")", ar.cause());
        }
      }));
    }
    if (all.isEmpty()) {
      return Future.succeededFuture(new Settlement(finished, failed));
    }
    long timer = vertx.setTimer(timeout.toMillis(), t -> outcomes.forEach(o ->
        o.tryFail("did not finish within the job timeout of " + timeout.toMillis() + " ms")));
    return Future.join(all).transform(ar -> {
      vertx.cancelTimer(timer);
      return Future.succeededFuture(new Settlement(finished, failed));
    });
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
}
