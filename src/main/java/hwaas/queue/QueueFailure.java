package hwaas.queue;

/** Failure codes of {@link QueueAddresses#SUBMIT} replies. */
public enum QueueFailure {
  /** The job itself is wrong: retrying the same job cannot help. */
  BAD_JOB(400),
  /** The type's backlog is at --max-backlog: wait, then resend with the same key; nothing was added. */
  BACKLOG(429),
  /** Redis did not take the job: retry with the same job id. */
  UNAVAILABLE(503),
  /**
   * Redis is at its memory limit ({@code maxmemory}, {@code --redis-maxmemory}) and refuses new jobs; the jobs it holds
   * still run. Nothing was added: resend later, with the same key.
   */
  FULL(507);

  /** Why a submission was refused by a full Redis, as its sender is told. */
  public static final String FULL_MESSAGE = "Redis is at its memory limit (--redis-maxmemory) and takes no new jobs "
      + "until it has room; nothing was added, and the jobs it holds still run: resend later (API records expire "
      + "after --record-ttl)";

  public final int code;

  QueueFailure(int code) {
    this.code = code;
  }

  /** Redis's answer to a write past its memory limit ("OOM command not allowed when used memory > 'maxmemory'"). */
  public static boolean isRedisFull(Throwable err) {
    // A batch's failure names it after the failed command's index ("ERR [2] OOM command not allowed ...").
    return err != null && err.getMessage() != null && err.getMessage().contains("OOM command not allowed");
  }
}
