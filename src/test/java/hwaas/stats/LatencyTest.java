package hwaas.stats;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyTest {

  @Test
  @DisplayName("one record, two views: each interval holds what came since the last, the Prometheus histogram everything")
  void intervalsAndRunningTotal() {
    NodeCounters counters = new NodeCounters();
    long now = 1_000_000;
    counters.lineOut(0, now - 1, now);
    counters.lineOut(1, now - 4, now);
    counters.lineOut(2, now - 40, now);

    Histogram first = counters.latency.interval();
    assertEquals(3, first.getTotalCount());
    assertEquals(40, first.getMaxValue());
    assertEquals(2, counters.highestSeq.get());

    counters.lineOut(3, now - 500, now);
    counters.lineOut(4, now + 5, now); // a clock behind the client's: counted as 0 ms
    HistogramSnapshot.HistogramDataPointSnapshot total =
        ((HistogramSnapshot) counters.latency.collect()).getDataPoints().get(0);
    Histogram second = counters.latency.interval();
    assertEquals(2, second.getTotalCount(), "the scrape took nothing away from the interval");
    assertEquals(500, second.getMaxValue());

    Map<Double, Long> perBucket = new HashMap<>();
    for (ClassicHistogramBucket bucket : total.getClassicBuckets()) {
      perBucket.put(bucket.getUpperBound(), bucket.getCount());
    }
    assertEquals(5, total.getCount());
    assertEquals(2, perBucket.get(1.0)); // 0 and 1 ms
    assertEquals(1, perBucket.get(4.0));
    assertEquals(1, perBucket.get(50.0));
    assertEquals(1, perBucket.get(500.0));
    assertEquals(545.0, total.getSum(), 0.001);
  }
}
