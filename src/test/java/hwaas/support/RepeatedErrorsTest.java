package hwaas.support;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RepeatedErrorsTest {
  @Test
  @DisplayName("one line per kind per window, with its cause; the next window's first tells how many were held back")
  void oncePerKindPerWindow() {
    List<String> lines = new ArrayList<>();
    List<Throwable> causes = new ArrayList<>();
    AtomicLong now = new AtomicLong();
    RepeatedErrors errors = new RepeatedErrors((message, cause) -> {
      lines.add(message);
      causes.add(cause);
    }, 60, TimeUnit.SECONDS, now::get);
    IllegalStateException down = new IllegalStateException("Redis down");

    assertTrue(errors.error("503 GET redis", "GET /api/jobs/a failed", down));
    for (int i = 0; i < 1_000; i++) {
      assertFalse(errors.error("503 GET redis", "GET /api/jobs/b" + i + " failed", down));
    }
    assertTrue(errors.error("500 POST bug", "POST /api/jobs failed", down), "another kind is logged at once");
    now.addAndGet(TimeUnit.SECONDS.toNanos(59));
    assertFalse(errors.error("503 GET redis", "GET /api/jobs/c failed", down));
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertTrue(errors.error("503 GET redis", "GET /api/jobs/d failed", down));
    assertTrue(errors.error("500 POST bug", "POST /api/jobs failed", down));

    assertEquals(List.of("GET /api/jobs/a failed", "POST /api/jobs failed",
        "GET /api/jobs/d failed (and 1001 more like it since the last one logged)", "POST /api/jobs failed"), lines);
    causes.forEach(cause -> assertSame(down, cause));
  }

  @Test
  @DisplayName("kinds past the most remembered are forgotten, not kept without bound")
  void boundedKinds() {
    List<String> lines = new ArrayList<>();
    RepeatedErrors errors = new RepeatedErrors((message, cause) -> lines.add(message), 60, TimeUnit.SECONDS, () -> 0);
    for (int i = 0; i < RepeatedErrors.MAX_KINDS; i++) {
      assertTrue(errors.error("kind " + i, "first of " + i, null));
    }
    assertFalse(errors.error("kind 0", "again", null), "still remembered");
    assertTrue(errors.error("one more kind", "new", null), "past the bound, the remembered kinds are dropped");
    assertTrue(errors.error("kind 0", "logged again", null));
    assertEquals(RepeatedErrors.MAX_KINDS + 2, lines.size());
  }
}
