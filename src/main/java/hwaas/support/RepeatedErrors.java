package hwaas.support;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Logs errors of one kind once per window: the first with its cause, then the others of that window only as a count,
 * told with the first of the next. A dependency that is down (Redis) fails every request meanwhile: a line and a stack
 * per request buried the log (113,181 of them in 20 s of a full Redis) and cost the node the time to write them.
 */
public final class RepeatedErrors {
  /** The most kinds remembered; past it they are forgotten (and the next of each is logged again). */
  static final int MAX_KINDS = 1_000;

  private final BiConsumer<String, Throwable> sink;
  private final long windowNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Window> windows = new HashMap<>();

  private static final class Window {
    final long since;
    long suppressed;

    Window(long since) {
      this.since = since;
    }
  }

  /** @param sink where a logged error goes: its message and its cause */
  public RepeatedErrors(BiConsumer<String, Throwable> sink, long window, TimeUnit unit) {
    this(sink, window, unit, System::nanoTime);
  }

  RepeatedErrors(BiConsumer<String, Throwable> sink, long window, TimeUnit unit, LongSupplier nanoClock) {
    this.sink = sink;
    this.windowNanos = unit.toNanos(window);
    this.nanoClock = nanoClock;
  }

  /**
   * Logs {@code message} with {@code cause} unless one of the same {@code kind} was logged within the window.
   *
   * @return whether it was logged
   */
  public boolean error(String kind, String message, Throwable cause) {
    long suppressed;
    synchronized (this) {
      long now = nanoClock.getAsLong();
      Window window = windows.get(kind);
      if (window != null && now - window.since < windowNanos) {
        window.suppressed++;
        return false;
      }
      suppressed = window == null ? 0 : window.suppressed;
      if (window == null && windows.size() >= MAX_KINDS) {
        windows.clear();
      }
      windows.put(kind, new Window(now));
    }
    sink.accept(suppressed == 0 ? message : message + " (and " + suppressed + " more like it since the last one logged)",
        cause);
    return true;
  }
}
