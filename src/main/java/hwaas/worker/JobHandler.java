package hwaas.worker;

import hwaas.queue.Job;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Runs one type of job. Called on a worker's event loop, so it must not block: slow work goes to a
 * thread of its own or to {@code executeBlocking}. The job is acknowledged only when the future succeeds.
 */
@FunctionalInterface
public interface JobHandler {
  /** The job's result (may be {@code null}); a failed future leaves the job pending for another attempt. */
  Future<JsonObject> run(Job job);
}
