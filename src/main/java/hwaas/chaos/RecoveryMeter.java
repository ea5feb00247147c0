package hwaas.chaos;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Throughput as the user sees it: lines printed per second, summed over the nodes' standard outputs, sampled every
 * 100 ms on a thread of its own. Before a fault it gives the rate of the 5 s before (the median 1 s); after it, how long from the
 * fault's end until a 1 s window was back to at least 90 % of that rate (a window above it, a backlog being worked
 * off, counts as back), and how low a 1 s window fell meanwhile.
 */
final class RecoveryMeter implements AutoCloseable {
  static final Duration BEFORE = Duration.ofSeconds(5);
  static final Duration WINDOW = Duration.ofSeconds(1);
  static final Duration CAP = Duration.ofSeconds(30);
  static final double TOLERANCE = 0.10;
  /** A gap between samples worth telling: the meter was not scheduled for five of its steps. */
  static final Duration STALL = Duration.ofMillis(500);
  private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final LongSupplier lines;
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "chaos-meter");
    t.setDaemon(true);
    return t;
  });
  /** Sample times ({@link System#nanoTime()}) and line counts; guarded by {@code this}. */
  private long[] times = new long[1024];
  private long[] counts = new long[1024];
  private int size;

  /** Samples only when {@link #start}ed; a test records its own samples with {@link #record}. */
  RecoveryMeter(LongSupplier lines) {
    this.lines = lines;
  }

  static RecoveryMeter start(LongSupplier lines) {
    RecoveryMeter meter = new RecoveryMeter(lines);
    meter.sample();
    meter.sampler.scheduleAtFixedRate(meter::sample, STEP_NANOS, STEP_NANOS, TimeUnit.NANOSECONDS);
    return meter;
  }

  private void sample() {
    record(System.nanoTime(), lines.getAsLong());
  }

  synchronized void record(long atNanos, long count) {
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      counts = Arrays.copyOf(counts, size * 2);
    }
    times[size] = atNanos;
    counts[size] = count;
    size++;
  }

  /**
   * The rate before {@code atNanos}: the median of the 1 s windows of the {@link #BEFORE} seconds up to it. A median,
   * not the mean: a backlog worked off in a burst within those seconds (thousands of lines in one second after an
   * outage) would otherwise set a bar that no steady second reaches.
   */
  double rateBefore(long atNanos) {
    int windows = (int) (BEFORE.toNanos() / WINDOW.toNanos());
    double[] rates = new double[windows];
    for (int i = 0; i < windows; i++) {
      long end = atNanos - i * WINDOW.toNanos();
      rates[i] = rate(end - WINDOW.toNanos(), end);
    }
    Arrays.sort(rates);
    return windows % 2 == 1 ? rates[windows / 2] : (rates[windows / 2 - 1] + rates[windows / 2]) / 2;
  }

  /**
   * Lines per second from the sample nearest before {@code fromNanos} to the one nearest after {@code toNanos} (the last
   * one if none is after it yet). A window that falls in a gap between samples (this JVM was not scheduled, on a busy
   * machine) gets the rate over the whole gap, not zero: the lines read after it were printed during it.
   */
  synchronized double rate(long fromNanos, long toNanos) {
    int from = indexAtOrBefore(fromNanos);
    int to = Math.min(size - 1, indexAtOrBefore(toNanos) + (times[indexAtOrBefore(toNanos)] < toNanos ? 1 : 0));
    if (to <= from) {
      return 0;
    }
    return (counts[to] - counts[from]) / ((times[to] - times[from]) / 1e9);
  }

  /** The longest time between two samples from {@code fromNanos} to {@code toNanos}: how long this JVM stalled. */
  synchronized Duration longestGap(long fromNanos, long toNanos) {
    long longest = 0;
    for (int i = Math.max(1, indexAtOrBefore(fromNanos)); i < size && times[i - 1] < toNanos; i++) {
      longest = Math.max(longest, times[i] - times[i - 1]);
    }
    return Duration.ofNanos(longest);
  }

  /**
   * Waits until a {@link #WINDOW} starting at or after {@code fromNanos} (tried every 100 ms) has a rate of at least
   * (1 - {@link #TOLERANCE}) x {@code before}; the time from {@code fromNanos} to that window's start, or empty if none
   * started within {@link #CAP}.
   */
  Optional<Duration> awaitRecovery(long fromNanos, double before) throws InterruptedException {
    double wanted = (1 - TOLERANCE) * before;
    for (long start = fromNanos; start - fromNanos <= CAP.toNanos(); start += STEP_NANOS) {
      long end = start + WINDOW.toNanos();
      while (latest() < end) {
        Thread.sleep(50);
      }
      if (rate(start, end) >= wanted) {
        return Optional.of(Duration.ofNanos(start - fromNanos));
      }
    }
    return Optional.empty();
  }

  /**
   * The lowest rate of a {@link #WINDOW} starting from {@code fromNanos} (tried every 100 ms) and ending by
   * {@code toNanos}: how deep a fault cut into throughput.
   */
  double lowest(long fromNanos, long toNanos) {
    double lowest = Double.MAX_VALUE;
    for (long start = fromNanos; start + WINDOW.toNanos() <= toNanos; start += STEP_NANOS) {
      lowest = Math.min(lowest, rate(start, start + WINDOW.toNanos()));
    }
    return lowest == Double.MAX_VALUE ? rate(fromNanos, toNanos) : lowest;
  }

  private synchronized long latest() {
    return times[size - 1];
  }

  private int indexAtOrBefore(long nanos) {
    int low = 0;
    int high = size - 1;
    while (low < high) {
      int mid = (low + high + 1) >>> 1;
      if (times[mid] <= nanos) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return low;
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
