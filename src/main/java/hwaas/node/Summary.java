package hwaas.node;

import java.util.Locale;

/**
 * What a node did, printed on standard error when it stops, in a form scripts can parse.
 *
 * @param pending jobs still in the streams, not yet done, when the node stopped; -1 if Redis could not be asked
 * @param failed  jobs whose handler failed on this node plus submissions never confirmed by a queue
 */
public record Summary(long submitted, long printed, long pending, long failed, double elapsedSeconds) {
  public String line() {
    return String.format(Locale.ROOT, "summary: submitted=%d printed=%d pending=%d failed=%d elapsed=%.1f",
        submitted, printed, pending, failed, elapsedSeconds);
  }
}
