package hwaas.worker;

import hwaas.jobs.JobControl;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tracked jobs one worker runs now, by id, so that a cancel heard on the event bus reaches the job's handler. A
 * cancel that arrives before its job is registered (it overtook the worker's own start) is remembered for a while and
 * applied when the job registers. Used on the worker's event loop only.
 */
final class RunningJobs {
  /** How long an early cancel is remembered: far longer than a start takes. */
  private static final long EARLY_MILLIS = 10_000;
  /** At most this many early cancels are remembered (a storm of cancels must not grow the heap). */
  private static final int EARLY_MAX = 10_000;

  private final Map<String, JobControl> running = new HashMap<>();
  private final LinkedHashMap<String, Long> early = new LinkedHashMap<>();

  /** Registers a job's control; canceled at once if its cancel came first. */
  void started(String jobId, JobControl control) {
    forgetOld();
    running.put(jobId, control);
    if (early.remove(jobId) != null) {
      control.cancel();
    }
  }

  void finished(String jobId, JobControl control) {
    running.remove(jobId, control);
  }

  boolean runs(String jobId) {
    return running.containsKey(jobId);
  }

  /** A cancel for {@code jobId}: true if this worker runs it. */
  boolean cancel(String jobId) {
    JobControl control = running.get(jobId);
    if (control != null) {
      control.cancel();
      return true;
    }
    forgetOld();
    if (early.size() < EARLY_MAX) {
      early.put(jobId, System.currentTimeMillis());
    }
    return false;
  }

  private void forgetOld() {
    long oldest = System.currentTimeMillis() - EARLY_MILLIS;
    for (Iterator<Long> it = early.values().iterator(); it.hasNext(); ) {
      if (it.next() >= oldest) {
        break;
      }
      it.remove();
    }
  }
}
