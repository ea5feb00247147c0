package hwaas.queue;

/** Failure codes of {@link QueueAddresses#SUBMIT} replies. */
public enum QueueFailure {
  /** The job itself is wrong: retrying the same job cannot help. */
  BAD_JOB(400),
  /** Redis did not take the job: retry with the same job id. */
  UNAVAILABLE(503);

  public final int code;

  QueueFailure(int code) {
    this.code = code;
  }
}
