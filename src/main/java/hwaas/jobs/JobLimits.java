package hwaas.jobs;

import java.time.Duration;

import static hwaas.support.Check.positive;
import static hwaas.support.Check.require;
import static hwaas.support.Check.seconds;

/**
 * How long jobs may take.
 *
 * @param jobTimeout        how long one attempt may run before it counts as failed
 * @param visibilityTimeout how long a job may stay unacknowledged on a silent consumer before another claims it
 * @param maxSleep          the longest a sleep job may ask for
 */
public record JobLimits(Duration jobTimeout, Duration visibilityTimeout, Duration maxSleep) {

  public JobLimits {
    require(positive(visibilityTimeout) && visibilityTimeout.toMillis() >= 100, "--visibility-timeout must be at least 0.1 seconds");
    require(positive(jobTimeout), "--job-timeout must be above 0 seconds");
    require(jobTimeout.compareTo(visibilityTimeout) < 0, "--job-timeout (" + seconds(jobTimeout)
        + " s) must be shorter than --visibility-timeout (" + seconds(visibilityTimeout)
        + " s), or a job still running would be claimed by another worker");
    require(positive(maxSleep) && maxSleep.toHours() <= 24, "--max-sleep must be above 0 and at most a day");
  }

  public static JobLimits defaults() {
    return new JobLimits(Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(60));
  }

  public JobLimits withMaxSleep(Duration maxSleep) {
    return new JobLimits(jobTimeout, visibilityTimeout, maxSleep);
  }

  public JobLimits withJobTimeout(Duration jobTimeout) {
    return new JobLimits(jobTimeout, visibilityTimeout, maxSleep);
  }
}
