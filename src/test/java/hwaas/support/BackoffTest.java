package hwaas.support;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

  @Test
  @DisplayName("the wait doubles from the first failure on and stops at the maximum; jitter stays in its upper half")
  void doublesUpToTheMaximum() {
    Backoff retries = new Backoff(500, 60_000);
    assertEquals(500, retries.delayMillis(1));
    assertEquals(1_000, retries.delayMillis(2));
    assertEquals(32_000, retries.delayMillis(7));
    assertEquals(60_000, retries.delayMillis(8));
    assertEquals(60_000, retries.delayMillis(1_000));
    assertEquals(500, retries.delayMillis(0), "no failure yet waits as the first");
    for (int i = 0; i < 1_000; i++) {
      long jittered = Backoff.RECONNECT.jitteredMillis(3);
      assertTrue(jittered >= 100 && jittered <= 200, "jittered " + jittered);
    }
    assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(10, 5));
  }
}
