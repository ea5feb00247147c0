package hwaas.jobs;

import java.time.Duration;

/**
 * A kind of job the service runs: its handler and its limits.
 *
 * @param timeout    how long one attempt may run
 * @param visibility how long an entry may stay unacknowledged on a silent consumer; longer than the timeout
 * @param cacheable  results depend on the payload alone, so they are cached and reused
 */
public record JobType(String name, JobHandler handler, Duration timeout, Duration visibility, boolean cacheable) {
  public JobType {
    if (timeout.compareTo(visibility) >= 0) {
      throw new IllegalArgumentException(name + ": the job timeout must be shorter than the visibility timeout");
    }
  }
}
