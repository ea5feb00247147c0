package hwaas.queue;

/** Failure codes of {@link QueueAddresses#SUBMIT} replies. */
public enum QueueFailure {
  /** The job itself is wrong: retrying the same job cannot help. */
  BAD_JOB(400),
  /** The type's backlog is at --max-backlog: wait, then resend with the same key; nothing was added. */
  BACKLOG(429),
  /** Redis did not take the job: retry with the same job id. */
  UNAVAILABLE(503);

  public final int code;

  QueueFailure(int code) {
    this.code = code;
  }
}
