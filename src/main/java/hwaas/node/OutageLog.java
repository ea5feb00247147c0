package hwaas.node;

import org.slf4j.Logger;

/**
 * Logs a failing dependency once per outage instead of once per message: the first failure with its
 * cause, then silence until the next success, which logs how many failures the outage counted.
 * Not thread-safe: each owner uses it from its own event loop.
 */
public final class OutageLog {
  private final Logger log;
  private final String what;
  private long failures;

  public OutageLog(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  public void failure(String context, Throwable cause) {
    if (failures++ == 0) {
      log.warn("{}: {} failed (further failures are not logged until one succeeds)", what, context, cause);
    }
  }

  public void success() {
    if (failures > 0) {
      log.info("{}: recovered after {} failed attempts", what, failures);
      failures = 0;
    }
  }

  public boolean inOutage() {
    return failures > 0;
  }
}
