package hwaas.queue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A record's times, written as the API has always written them (the history's order: DelayedJobsTest, JobActionsTest, JobListingTest). */
class JobRecordsTest {

  @Test
  @DisplayName("times are written exactly as Instant.toString writes them, whichever second came before")
  void timesAsInstantWritesThem() {
    long[] edges = {0, 1, 9, 10, 99, 100, 999, 1000, 1001, -1, -999, -1000, -1001, 1_764_227_089_000L,
        1_764_227_089_001L, 1_764_227_089_010L, 1_764_227_089_100L, 1_764_227_089_999L, 253_402_300_799_999L,
        253_402_300_800_000L};
    for (long millis : edges) {
      assertEquals(Instant.ofEpochMilli(millis).toString(), JobRecords.time(millis), "millis " + millis);
    }
    Random random = new Random(42);
    long base = 1_764_227_089_000L;
    for (int i = 0; i < 100_000; i++) {
      // Runs within one second and jumps between seconds, so that the cached second is both hit and replaced.
      long millis = i % 3 == 0 ? base + random.nextInt(3000) : random.nextLong(-2_000_000_000_000L, 4_000_000_000_000L);
      assertEquals(Instant.ofEpochMilli(millis).toString(), JobRecords.time(millis), "millis " + millis);
    }
    assertEquals(null, JobRecords.time((String) null));
  }
}
