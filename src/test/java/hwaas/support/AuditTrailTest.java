package hwaas.support;

import hwaas.testing.Poll;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
class AuditTrailTest {

  @Test
  @DisplayName("audit lines are written before their future completes and forced to disk within a second and at close")
  void syncedOnceASecondAndAtClose(Vertx vertx) throws Exception {
    Path file = Path.of("target", "audit-trail-test", UUID.randomUUID() + ".audit");
    AuditTrail trail = AuditTrail.appendingTo(file);
    Promise<Void> written = Promise.promise();
    vertx.runOnContext(v -> trail.recordAll(List.of("c:0", "c:1")).onComplete(written));
    written.future().await(5, TimeUnit.SECONDS);
    assertEquals(List.of("c:0", "c:1"), Files.readAllLines(file), "written when the future completed");

    Poll.until(Duration.ofSeconds(3), "the lines to be forced to disk", () -> trail.syncs() >= 1);
    long before = trail.syncs();
    Promise<Void> more = Promise.promise();
    vertx.runOnContext(v -> trail.recordAll(List.of("c:2")).onComplete(more));
    more.future().await(5, TimeUnit.SECONDS);
    trail.close();
    org.junit.jupiter.api.Assertions.assertTrue(trail.syncs() > before, "close forces what was written since");
    assertEquals(List.of("c:0", "c:1", "c:2"), Files.readAllLines(file));
  }
}
