package hwaas.http;

import java.util.HashMap;
import java.util.Map;

/**
 * The jobs that someone on this node listens to: requests waiting for a result, event streams, browsers registered on
 * the bridge. {@link JobEventRelay} hands a job's changes to its address only while it is watched: a local publish
 * costs the event bus's delivery and its metrics even when nobody listens: a fifth of the node's CPU samples, and an
 * eighth more in the metrics, with external workers settling 20,000 jobs a second. Counted, since several may watch
 * one job. Used on the HTTP verticle's event loop only.
 */
final class WatchedJobs {
  private final Map<String, Integer> listeners = new HashMap<>();

  void add(String jobId) {
    listeners.merge(jobId, 1, Integer::sum);
  }

  void remove(String jobId) {
    listeners.computeIfPresent(jobId, (id, n) -> n == 1 ? null : n - 1);
  }

  boolean watched(String jobId) {
    return listeners.containsKey(jobId);
  }

  /** How many jobs are watched: for tests, and to see that every listener that went away was counted out. */
  int size() {
    return listeners.size();
  }
}
