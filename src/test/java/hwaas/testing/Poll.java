package hwaas.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on the test thread for a condition, checking every 20 ms; fails the test with a message on timeout. */
public final class Poll {
  private Poll() {
  }

  public static void until(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
