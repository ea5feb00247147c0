package hwaas.jobs;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs one type of job. Called on a worker's event loop, so it must not block: slow work goes to a
 * thread of its own or to {@code executeBlocking}. A job is acknowledged only when its future succeeds.
 */
@FunctionalInterface
public interface JobHandler {
  /** The job's result (may be {@code null}); a failed future leaves the job pending for another attempt. */
  Future<JsonObject> run(Job job);

  /**
   * Runs a job that can be canceled and followed (a tracked one): a handler that can stop early or say how far it has
   * come overrides this. A canceled job's outcome no longer counts in any case; this only lets the handler stop its
   * work. By default, {@link #run(Job)}.
   */
  default Future<JsonObject> run(Job job, JobControl control) {
    return run(job);
  }

  /**
   * Runs the jobs of a batch, each with its control (in the same order): by default {@link #runAll(List)}, which does
   * not listen to them; a handler that overrides {@link #run(Job, JobControl)} overrides this too.
   */
  default List<Future<JsonObject>> runAll(List<Job> jobs, List<JobControl> controls) {
    return runAll(jobs);
  }

  /**
   * Completes when this handler can take more jobs. A worker waits on it before it reads, so a handler whose output is
   * behind holds back reading (back-pressure) instead of piling up work. At once by default.
   */
  default Future<Void> ready() {
    return Future.succeededFuture();
  }

  /**
   * Whether a job is done once its output is handed over and only waits for the output to take it (printing): then
   * the job timeout does not apply, since failing a line already queued for printing would print it twice. Such a
   * handler must use {@link #ready()} so that the wait stays short. False by default.
   */
  default boolean boundedByOutput() {
    return false;
  }

  /**
   * Runs the jobs of a batch: one outcome per job, in order (jobs may share one future). One by one unless a
   * handler has a cheaper way to do many, as printing has: one write and one flush for all the lines.
   */
  default List<Future<JsonObject>> runAll(List<Job> jobs) {
    List<Future<JsonObject>> outcomes = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      try {
        outcomes.add(run(job));
      } catch (RuntimeException e) {
        outcomes.add(Future.failedFuture(e));
      }
    }
    return outcomes;
  }
}
