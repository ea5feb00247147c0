package hwaas.queue;

/** The only place that builds Redis key names: every key starts with the configured prefix. */
public final class StreamKeys {
  /** The consumer group every worker of every node reads through. */
  public static final String GROUP = "workers";

  private final String prefix;

  public StreamKeys(String prefix) {
    this.prefix = prefix;
  }

  /** The stream that holds the jobs: {@code hwaas:jobs}. */
  public String stream() {
    return prefix + ":jobs";
  }

  /** Prefix of the keys that map a job id to its stream entry id: {@code hwaas:idem:<job id>}. */
  public String idempotencyPrefix() {
    return prefix + ":idem:";
  }

  /** Jobs that used up their attempts, each with its last error: {@code hwaas:dead}. */
  public String dead() {
    return prefix + ":dead";
  }

  /** Hash from stream entry id to the last error of a job that failed and waits for another attempt. */
  public String errors() {
    return prefix + ":errors";
  }

  public String idempotency(String jobId) {
    return idempotencyPrefix() + jobId;
  }
}
