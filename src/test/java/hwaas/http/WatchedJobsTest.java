package hwaas.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchedJobsTest {
  @Test
  void aJobIsWatchedUntilItsLastListenerLeaves() {
    WatchedJobs watched = new WatchedJobs();
    watched.add("api-1");
    watched.add("api-1");
    watched.add("api-2");
    watched.remove("api-1");
    assertTrue(watched.watched("api-1"), "one of its two listeners is left");
    watched.remove("api-1");
    watched.remove("api-1"); // a listener counted out twice takes nothing from another job
    assertFalse(watched.watched("api-1"));
    assertTrue(watched.watched("api-2"));
    assertEquals(1, watched.size());
  }
}
