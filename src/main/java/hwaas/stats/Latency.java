package hwaas.stats;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * The one record of a node's latency (print time minus the client's send time, in milliseconds): an HdrHistogram
 * recorder that the workers write to without locks. Two views are read from it: the interval since the last look
 * (the stats verticle's 10-second window), and the running total (the Prometheus histogram, the bench).
 */
public final class Latency implements Collector {
  public static final long MAX_MILLIS = 60_000L;
  /** Upper bounds of the Prometheus buckets, in milliseconds: fine where the p99 of a healthy node lies. */
  private static final double[] BUCKETS = {1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1_000,
      2_000, 5_000, 10_000, 30_000, 60_000, Double.POSITIVE_INFINITY};

  private final Recorder recorder = new Recorder(MAX_MILLIS, 3);
  private final Histogram total = new Histogram(MAX_MILLIS, 3);
  private final Histogram sinceLastInterval = new Histogram(MAX_MILLIS, 3);
  private Histogram reusable;

  /** Called once per printed job, from any thread. */
  void record(long millis) {
    recorder.recordValue(Math.min(MAX_MILLIS, Math.max(0, millis)));
  }

  /** What was recorded since the previous call. */
  public synchronized Histogram interval() {
    drain();
    Histogram interval = sinceLastInterval.copy();
    sinceLastInterval.reset();
    return interval;
  }

  /** Everything recorded since the node started (a copy): subtract two of them for a window of one's own. */
  public synchronized Histogram total() {
    drain();
    return total.copy();
  }

  private void drain() {
    reusable = recorder.getIntervalHistogram(reusable);
    total.add(reusable);
    sinceLastInterval.add(reusable);
  }

  /** {@code hwaas_jobs_latency_milliseconds}: every job since the node started, in fixed buckets. */
  @Override
  public synchronized MetricSnapshot collect() {
    drain();
    long[] counts = new long[BUCKETS.length];
    double sum = 0;
    for (HistogramIterationValue v : total.recordedValues()) {
      long value = total.highestEquivalentValue(v.getValueIteratedTo());
      sum += (double) v.getValueIteratedTo() * v.getCountAtValueIteratedTo();
      int bucket = 0;
      while (BUCKETS[bucket] < value) {
        bucket++;
      }
      counts[bucket] += v.getCountAtValueIteratedTo();
    }
    return HistogramSnapshot.builder()
        .name("hwaas_jobs_latency_milliseconds")
        .unit(new Unit("milliseconds"))
        .help("print time minus the client's send time")
        .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(ClassicHistogramBuckets.of(BUCKETS, counts))
            .sum(sum)
            .build())
        .build();
  }

  @Override
  public String getPrometheusName() {
    return "hwaas_jobs_latency_milliseconds";
  }
}
