package hwaas.jobs;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * What a running job's handler is told and may tell: whether the job was canceled (from any node, through the API), and
 * how far it has come. One per run of a tracked job, used on its worker's event loop only.
 */
public final class JobControl {
  /** For a job nobody can cancel or follow (a client's print job): never canceled, progress goes nowhere. */
  public static final JobControl NONE = new JobControl(progress -> { });

  private final Promise<Void> canceled = Promise.promise();
  private final ProgressListener listener;

  public JobControl(ProgressListener listener) {
    this.listener = listener;
  }

  /** Completes when the job is canceled: a handler stops its work then (its outcome no longer counts). */
  public Future<Void> canceled() {
    return canceled.future();
  }

  public boolean isCanceled() {
    return canceled.future().isComplete();
  }

  /** Cancels the job; again is harmless. */
  public void cancel() {
    canceled.tryComplete();
  }

  /**
   * Reports how far the job has come: {@code fraction} from 0 to 1 (clamped), and a short message (cut at 200
   * characters). Ignored once the job is canceled.
   */
  public void progress(double fraction, String message) {
    if (isCanceled() || Double.isNaN(fraction)) {
      return;
    }
    String text = message == null ? "" : message.length() > 200 ? message.substring(0, 200) : message;
    listener.reported(new Progress(Math.max(0, Math.min(1, fraction)), text));
  }

  /** A job's progress as its handler last reported it. */
  public record Progress(double fraction, String message) {
  }

  /** Where reported progress goes (the worker records and announces it). */
  @FunctionalInterface
  public interface ProgressListener {
    void reported(Progress progress);
  }

  /** The outcome of a job that was canceled: it is over, neither completed nor failed, and never retried. */
  public static final class CanceledException extends RuntimeException {
    public CanceledException(String jobId) {
      super("job " + jobId + " was canceled", null, false, false);
    }
  }
}
