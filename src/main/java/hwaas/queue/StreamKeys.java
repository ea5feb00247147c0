package hwaas.queue;

/** The only place that builds Redis key names: every key starts with the configured prefix. */
public final class StreamKeys {
  /** The consumer group every worker of every node reads through. */
  public static final String GROUP = "workers";

  private final String prefix;

  public StreamKeys(String prefix) {
    this.prefix = prefix;
  }

  /** The stream that holds the jobs of one type: {@code hwaas:jobs:print}. */
  public String stream(String type) {
    return streamPrefix() + type;
  }

  public String streamPrefix() {
    return prefix + ":jobs:";
  }

  /** Jobs that used up their attempts, each with its last error: {@code hwaas:dead}. */
  public String dead() {
    return prefix + ":dead";
  }

  /** Hash from stream entry id to the last error of a job that failed and waits for another attempt. */
  public String errors(String type) {
    return prefix + ":errors:" + type;
  }

  /**
   * Hash from stream entry id to the ids (a JSON array) of the entry's jobs that finished while another of its
   * jobs failed: the next attempt runs only the rest.
   */
  public String finished(String type) {
    return prefix + ":finished:" + type;
  }

  /** Prefix of the keys that map a submission's key to its stream entry id: {@code hwaas:idem:<batch key>}. */
  public String idempotencyPrefix() {
    return prefix + ":idem:";
  }

  /** The status record of a job submitted over the API (a hash): {@code hwaas:job:<id>}. */
  public String record(String jobId) {
    return prefix + ":job:" + jobId;
  }

  /** A chain of jobs, named by its first job ({@code hwaas.chain.ChainScripts}): {@code hwaas:chain:<root>}. */
  public String chain(String root) {
    return prefix + ":chain:" + root;
  }

  /** A client's API jobs, scored by creation time: {@code hwaas:client:<name>}. */
  public String clientJobs(String client) {
    return prefix + ":client:" + client;
  }

  /**
   * Prefix of the console's job indexes, sorted sets of job ids: {@code hwaas:idx:all} and {@code hwaas:idx:type:<t>}
   * scored by creation time, {@code hwaas:idx:state:<s>} scored by when the job entered that state ({@link JobIndex}).
   */
  public String indexPrefix() {
    return prefix + ":idx:";
  }

  /** The clients that submitted API jobs, scored by their last submission (epoch millis). */
  public String clients() {
    return prefix + ":clients";
  }

  /** A cached result: {@code hwaas:cache:<type>:<payload digest>}. */
  public String cache(String type, String digest) {
    return prefix + ":cache:" + type + ":" + digest;
  }

  /** The service's identity, set by the first node that uses this Redis ({@link ServiceIdentity}). */
  public String service() {
    return prefix + ":service";
  }

  /** How many partitions the service's streams are spread over, set by its first node ({@link PartitionCount}). */
  public String partitions() {
    return prefix + ":partitions";
  }

  /** The prefix every key of these starts with: {@code hwaas}, or a hash tag such as {@code {hwaas}}. */
  public String prefix() {
    return prefix;
  }

  /**
   * Delayed API jobs by when they are due (epoch millis): a sorted set of job ids. Those at or before the mark
   * ({@link #scheduledMoved()}) are due and in their streams, waiting for a worker (the set is their index of the
   * queued state until one starts them); the others wait for their time.
   */
  public String scheduled() {
    return prefix + ":scheduled";
  }

  /**
   * The mover's mark: every job of {@link #scheduled()} scored at or before it is in its stream. The scripts name it
   * as the scheduled set's name and {@code :moved}.
   */
  public String scheduledMoved() {
    return scheduled() + ":moved";
  }

  /** Recurring schedules: a hash from name to definition (JSON). */
  public String schedules() {
    return prefix + ":schedules";
  }

  /** The tick each schedule last fired (or skipped), epoch millis: a hash from name to time. */
  public String scheduleTicks() {
    return prefix + ":schedule-ticks";
  }

  /** Hash of the job types declared at run time, name to payload JSON Schema. */
  public String declaredTypes() {
    return prefix + ":types";
  }

  /** The set of paused job types. */
  public String paused() {
    return prefix + ":paused";
  }

  /** Counters per type: processed, failed (attempts), dead. */
  public String counters(String type) {
    return prefix + ":counters:" + type;
  }
}
