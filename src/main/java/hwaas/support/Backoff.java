package hwaas.support;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off: {@code first} after the first failure, doubling with each one, never above {@code max}.
 * The one policy for every retry of the node: resends of a submission, reconnects of a worker, later attempts of
 * a failed job.
 */
public record Backoff(long firstMillis, long maxMillis) {
  /** Reconnects and resends: quick at first, at most 2 s apart during an outage. */
  public static final Backoff RECONNECT = new Backoff(50, 2_000);

  public Backoff {
    if (firstMillis <= 0 || maxMillis < firstMillis) {
      throw new IllegalArgumentException("back-off needs 0 < first <= max, got " + firstMillis + " and " + maxMillis);
    }
  }

  /** The wait after {@code failures} failures in a row (1 for the first). */
  public long delayMillis(long failures) {
    int doublings = (int) Math.min(30, Math.max(0, failures - 1));
    return Math.min(maxMillis, firstMillis << doublings);
  }

  /** As {@link #delayMillis}, spread over its upper half so that many waiting parties do not retry in step. */
  public long jitteredMillis(long failures) {
    long delay = delayMillis(failures);
    return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
  }
}
