package hwaas.queue;

/** Event-bus addresses of the queue feature. */
public final class QueueAddresses {
  /** Request: a {@link hwaas.jobs.JobBatch} as JSON (text or object), from any node. Reply: {"entryId": "..."} once the job is in the stream; fails with {@link QueueFailure} codes. */
  public static final String SUBMIT = "hwaas.queue.submit";

  /**
   * Request, from this node only (a local consumer): a {@link LocalSubmission}, the API's checked jobs with their
   * records, written whole or refused whole. Reply: {"entryIds": [...]}, one per batch; fails like {@link #SUBMIT}.
   */
  public static final String SUBMIT_LOCAL = "hwaas.queue.submit.local";

  /** Publish: {"type": "...", "paused": true|false} when a job type is paused or resumed; every worker listens. */
  public static final String PAUSED = "hwaas.queue.paused";

  /**
   * Publish, cluster-wide: {"id": "..."} when a running job was canceled ({@link JobCancel}); the worker running it
   * stops it.
   */
  public static final String CANCEL = "hwaas.queue.cancel";

  private QueueAddresses() {
  }
}
