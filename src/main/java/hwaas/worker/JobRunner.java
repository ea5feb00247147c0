package hwaas.worker;

import hwaas.jobs.JobType;
import hwaas.support.AuditTrail;
import hwaas.support.Printer;

import hwaas.support.OutageLog;
import hwaas.jobs.Job;
import hwaas.jobs.JobControl;
import hwaas.stats.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Runs the jobs of a read through their handler, each failure isolated from the others, within a time limit
 * per attempt, and says for each entry which jobs finished and which failed (with why). Audit lines, when
 * asked for, are written before a job counts as finished.
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
  private final RunningJobs running;
  private final BiConsumer<Job, JobControl.Progress> progress;

  /**
   * @param running  where tracked jobs are registered while they run, so a cancel reaches them
   * @param progress where the progress tracked jobs report goes
   */
  JobRunner(Vertx vertx, String consumer, JobType type, NodeCounters counters, AuditTrail audit, OutageLog failures,
            RunningJobs running, BiConsumer<Job, JobControl.Progress> progress) {
    this.vertx = vertx;
    this.consumer = consumer;
    this.type = type;
    this.counters = counters;
    this.timeout = type.timeout();
    this.audit = audit;
    this.failures = failures;
    this.running = running;
    this.progress = progress;
  }

  /** @param canceled ids of jobs found canceled as they were marked running: they do not run, and count as over */
  Future<Settlement> runAll(List<Entry> entries, Set<String> canceled) {
    List<Job> jobs = new ArrayList<>();
    for (Entry entry : entries) {
      if (entry.error() != null) {
        // Only a writer other than a queue verticle can produce this: it can never run, so it goes to the dead letters.
        log.error("worker {}: stream entry {} holds no runnable job ({}); moved to the dead letters", consumer,
            entry.entryId(), entry.error());
      }
      jobs.addAll(entry.jobs());
    }
    Map<String, JobControl> controls = new HashMap<>(0);
    List<Future<JsonObject>> outcomes = start(jobs, canceled, controls);
    // Jobs of a batch may share one future (one flush for many lines): wait for each distinct one.
    Set<Future<JsonObject>> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    distinct.addAll(outcomes);
    Promise<Void> settled = Promise.promise();
    // Lines handed to the printer are never timed out (they would print later and run again): their wait is bounded by
    // the printer's room, which holds back reading, and a closed output fails them at once.
    long timer = type.handler().boundedByOutput() ? -1 : vertx.setTimer(timeout.toMillis(), t -> settled.tryComplete());
    Future.join(new ArrayList<>(distinct)).onComplete(ar -> {
      vertx.cancelTimer(timer);
      settled.tryComplete();
    });
    return settled.future()
        .compose(v -> audited(settle(entries, jobs, outcomes)))
        .onComplete(ar -> controls.forEach(running::finished));
  }

  /**
   * Starts the jobs; a tracked one runs with a control registered under its id, and its outcome is canceled the moment
   * a cancel arrives, whether or not its handler listens. Fills {@code controls} with those registered.
   */
  private List<Future<JsonObject>> start(List<Job> jobs, Set<String> canceled, Map<String, JobControl> controls) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    boolean anyTracked = false;
    for (Job job : jobs) {
      anyTracked |= job.tracked();
    }
    if (!anyTracked) {
      return started(jobs);
    }
    List<Job> toRun = new ArrayList<>(jobs.size());
    List<JobControl> runControls = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      if (canceled.contains(job.id())) {
        continue;
      }
      toRun.add(job);
      JobControl control = JobControl.NONE;
      if (job.tracked()) {
        control = new JobControl(p -> progress.accept(job, p));
        running.started(job.id(), control);
        controls.put(job.id(), control);
      }
      runControls.add(control);
    }
    List<Future<JsonObject>> ran = started(toRun, runControls);
    List<Future<JsonObject>> outcomes = new ArrayList<>(jobs.size());
    int next = 0;
    for (Job job : jobs) {
      if (canceled.contains(job.id())) {
        outcomes.add(Future.failedFuture(new JobControl.CanceledException(job.id())));
        continue;
      }
      JobControl control = runControls.get(next);
      Future<JsonObject> outcome = ran.get(next++);
      if (control == JobControl.NONE) {
        outcomes.add(outcome);
        continue;
      }
      Promise<JsonObject> either = Promise.promise();
      outcome.onSuccess(either::tryComplete).onFailure(either::tryFail);
      control.canceled().onSuccess(v -> either.tryFail(new JobControl.CanceledException(job.id())));
      outcomes.add(either.future());
    }
    return outcomes;
  }

  private List<Future<JsonObject>> started(List<Job> jobs) {
    return started(jobs, null);
  }

  /** The handler's outcomes, one per job; a handler that throws or miscounts fails them all. */
  private List<Future<JsonObject>> started(List<Job> jobs, List<JobControl> controls) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    try {
      List<Future<JsonObject>> outcomes = controls == null ? type.handler().runAll(jobs) : type.handler().runAll(jobs, controls);
      if (outcomes.size() != jobs.size()) {
        throw new IllegalStateException("handler of " + type.name() + " gave " + outcomes.size() + " outcomes for " + jobs.size() + " jobs");
      }
      return outcomes;
    } catch (RuntimeException e) {
      return Collections.nCopies(jobs.size(), Future.failedFuture(e));
    }
  }

  /** Reads the outcomes, in job order; one still running has overrun the time limit. */
  private Settlement settle(List<Entry> entries, List<Job> jobs, List<Future<JsonObject>> outcomes) {
    long now = System.currentTimeMillis();
    boolean print = Job.PRINT.equals(type.name());
    List<Settlement.Outcome> settled = new ArrayList<>(entries.size());
    int next = 0;
    for (Entry entry : entries) {
      List<Settlement.Done> finished = new ArrayList<>(entry.jobs().size());
      List<Settlement.Failed> failed = new ArrayList<>(0);
      boolean outputClosed = false;
      for (Job job : entry.jobs()) {
        Future<JsonObject> outcome = outcomes.get(next++);
        if (outcome.succeeded()) {
          finished.add(new Settlement.Done(job, outcome.result(), false));
          if (print) {
            counters.lineOut(job.seq(), job.sentAt(), now);
          }
        } else {
          Throwable cause = outcome.isComplete() ? outcome.cause()
              : new IllegalStateException("did not finish within the job timeout of " + timeout.toMillis() + " ms");
          if (cause instanceof JobControl.CanceledException) {
            finished.add(new Settlement.Done(job, null, true)); // over: acknowledged, never retried
            continue;
          }
          failed.add(new Settlement.Failed(job, String.valueOf(cause.getMessage())));
          if (cause instanceof Printer.OutputClosedException) {
            outputClosed = true; // the node is going away: not the job's failure
          } else {
            counters.failed.increment();
            failures.failure(consumer + ": job " + job.id() + " (entry " + entry.entryId() + ", attempt " + entry.deliveries() + ")", cause);
          }
        }
      }
      settled.add(new Settlement.Outcome(entry, finished, failed, outputClosed));
    }
    if (next > 0 && settled.stream().allMatch(Settlement.Outcome::complete)) {
      failures.success();
    }
    return new Settlement(type, settled);
  }

  /** A finished job counts only once its audit line is written; if that fails, the jobs stay pending. */
  private Future<Settlement> audited(Settlement settlement) {
    List<String> ids = new ArrayList<>();
    settlement.outcomes().forEach(o -> o.finished().forEach(done -> ids.add(done.job().id())));
    return audit.recordAll(ids).map(v -> settlement).recover(err -> {
      log.error("worker {}: audit lines of {} jobs not written; they stay pending", consumer, ids.size(), err);
      List<Settlement.Outcome> failed = new ArrayList<>();
      for (Settlement.Outcome o : settlement.outcomes()) {
        List<Settlement.Failed> all = new ArrayList<>(o.failed());
        o.finished().forEach(done -> all.add(new Settlement.Failed(done.job(), "audit line not written: " + err.getMessage())));
        failed.add(new Settlement.Outcome(o.entry(), List.of(), all, false));
      }
      return Future.succeededFuture(new Settlement(settlement.type(), failed));
    });
  }
}
