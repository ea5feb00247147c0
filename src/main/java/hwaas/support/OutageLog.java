package hwaas.support;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs a failing dependency once per outage instead of once per message: the first failure with its
 * cause, then silence until the next success, which logs how many failures the outage counted. Shared by
 * all verticles of a node (hence atomic), so a Redis outage gives one line per node, not one per client. A relapse
 * within {@link #RELAPSE_NANOS} of a recovery (a Redis failover, where some connections reach the new primary while
 * others still try the old one) belongs to the same outage: counted, not logged again.
 */
public final class OutageLog {
  private final Logger log;
  private final String what;
  static final long RELAPSE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong recoveredAt = new AtomicLong(System.nanoTime() - 2 * RELAPSE_NANOS);
  private volatile boolean relapse;

  public OutageLog(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  public void failure(String context, Throwable cause) {
    if (failures.getAndIncrement() == 0) {
      relapse = System.nanoTime() - recoveredAt.get() < RELAPSE_NANOS;
      if (relapse) {
        return;
      }
      log.warn("{}: {} failed (further failures are not logged until one succeeds)", what, context, cause);
    }
  }

  public void success() {
    if (failures.get() > 0) {
      long outage = failures.getAndSet(0);
      if (outage > 0 && !relapse) {
        recoveredAt.set(System.nanoTime());
        log.info("{}: recovered after {} failed attempts", what, outage);
      }
    }
  }
}
