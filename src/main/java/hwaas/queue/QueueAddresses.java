package hwaas.queue;

/** Event-bus addresses of the queue feature. */
public final class QueueAddresses {
  /** Request: {@link Job} JSON. Reply: {"entryId": "..."} once the job is in the stream; fails with {@link QueueFailure} codes. */
  public static final String SUBMIT = "hwaas.queue.submit";

  private QueueAddresses() {
  }
}
