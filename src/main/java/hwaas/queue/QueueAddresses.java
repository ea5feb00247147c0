package hwaas.queue;

/** Event-bus addresses of the queue feature. */
public final class QueueAddresses {
  /** Request: {@link Job} JSON. Reply: {"entryId": "..."} once the job is in the stream; fails with {@link QueueFailure} codes. */
  public static final String SUBMIT = "hwaas.queue.submit";

  /** Publish: {"type": "...", "paused": true|false} when a job type is paused or resumed; every worker listens. */
  public static final String PAUSED = "hwaas.queue.paused";

  private QueueAddresses() {
  }
}
