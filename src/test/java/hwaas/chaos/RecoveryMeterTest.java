package hwaas.chaos;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The chaos command's throughput measure, on recorded samples. */
class RecoveryMeterTest {
  private static final long MS = 1_000_000;

  @Test
  @DisplayName("a steady 500 lines/s reads 500; a second with nothing printed reads 0")
  void steadyAndStopped() {
    RecoveryMeter meter = new RecoveryMeter(() -> 0);
    long count = 0;
    for (long t = 0; t <= 5_000; t += 100) {
      meter.record(t * MS, count);
      count += (t >= 2_000 && t < 3_000) ? 0 : 50; // nothing printed from 2 s to 3 s
    }
    assertEquals(500, meter.rate(500 * MS, 1_500 * MS), 1);
    assertEquals(0, meter.rate(2_000 * MS, 3_000 * MS), 1);
    assertEquals(0, meter.lowest(0, 5_000 * MS), 1);
    assertEquals(Duration.ofMillis(100), meter.longestGap(0, 5_000 * MS));
  }

  @Test
  @DisplayName("a gap in the sampling (this JVM not scheduled) is not a second with nothing printed: the rate over the gap")
  void samplingGap() {
    RecoveryMeter meter = new RecoveryMeter(() -> 0);
    long count = 0;
    for (long t = 0; t <= 5_000; t += 100) {
      if (t > 2_000 && t < 3_300) {
        count += 50; // printed, but not sampled: the meter's thread stalled for 1.3 s
        continue;
      }
      meter.record(t * MS, count);
      count += 50;
    }
    assertEquals(500, meter.rate(2_100 * MS, 3_100 * MS), 1);
    assertEquals(500, meter.lowest(0, 5_000 * MS), 1);
    assertEquals(Duration.ofMillis(1_300), meter.longestGap(0, 5_000 * MS));
  }
}
