package hwaas.support;

import java.time.Duration;

/** The checks settings records make of their values: each failure is a {@link ConfigException} naming the flag. */
public final class Check {
  private Check() {
  }

  public static void require(boolean ok, String error) {
    if (!ok) {
      throw new ConfigException(error);
    }
  }

  public static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  public static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
