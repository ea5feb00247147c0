package hwaas.worker;

import java.time.Duration;

import static hwaas.support.Check.positive;
import static hwaas.support.Check.require;

/**
 * How a node's workers read and retry.
 *
 * @param count        worker verticles on this node
 * @param batchSize    stream entries a worker reads at once (an entry holds up to 1000 jobs)
 * @param blockTimeout how long an idle worker's XREADGROUP waits before it looks again
 * @param maxAttempts  deliveries of a job before it goes to the dead-letter stream
 * @param retryBackoff wait before the second attempt of a failed job; doubles with each attempt
 */
public record WorkerSettings(int count, int batchSize, Duration blockTimeout, int maxAttempts, Duration retryBackoff) {

  public WorkerSettings {
    require(count >= 0, "WORKERS must be 0 or more, got " + count);
    require(batchSize >= 1 && batchSize <= 10_000, "--batch must be between 1 and 10000, got " + batchSize);
    require(positive(blockTimeout), "block timeout must be above 0");
    require(maxAttempts >= 1 && maxAttempts <= 100, "--max-attempts must be between 1 and 100, got " + maxAttempts);
    require(positive(retryBackoff), "retry backoff must be above 0");
  }

  public static WorkerSettings defaults(int count) {
    return new WorkerSettings(count, 32, Duration.ofMillis(500), 5, Duration.ofMillis(500));
  }

  public WorkerSettings withCount(int count) {
    return new WorkerSettings(count, batchSize, blockTimeout, maxAttempts, retryBackoff);
  }

  public WorkerSettings withBatchSize(int batchSize) {
    return new WorkerSettings(count, batchSize, blockTimeout, maxAttempts, retryBackoff);
  }

  public WorkerSettings withBlockTimeout(Duration blockTimeout) {
    return new WorkerSettings(count, batchSize, blockTimeout, maxAttempts, retryBackoff);
  }

  public WorkerSettings withRetries(int maxAttempts, Duration retryBackoff) {
    return new WorkerSettings(count, batchSize, blockTimeout, maxAttempts, retryBackoff);
  }
}
