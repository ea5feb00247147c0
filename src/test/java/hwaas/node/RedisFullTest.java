package hwaas.node;

import hwaas.jobs.JobHandlers;
import hwaas.redis.RedisSettings;
import hwaas.support.Printer;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.RawRedis;
import hwaas.testing.TestConfigs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A Redis at its memory limit refuses writes for a while: the node waits it out and goes on, it does not wedge. */
class RedisFullTest {

  @Test
  @DisplayName("Redis full for three seconds (writes refused): printing resumes once it has room again")
  void printingResumesAfterAFullRedis() throws Exception {
    Path dir = Path.of("target", "redis-full", UUID.randomUUID().toString());
    // Clients far faster than the one worker: there is always a backlog being read and settled when Redis fills up.
    NodeSettings local = TestConfigs.local(1, 5, 2_000);
    NodeSettings settings = local.withRedis(new RedisSettings(null, dir.resolve("data"), "everysec", null,
        RedisSettings.DEFAULT_MAX_MEMORY, false));
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Poll.until(Duration.ofSeconds(10), "some printed jobs", () -> node.counters().printed.sum() > 5_000);
        int port = node.settings().redis().url().getPort();
        String auth = "AUTH " + node.settings().redis().url().getUserInfo().substring(1);
        assertEquals("+OK", redis(port, auth, "CONFIG SET maxmemory 1"));
        Thread.sleep(3_000); // writes refused (OOM): settling, enqueueing and reconnecting all fail meanwhile
        assertEquals("+OK", redis(port, auth, "CONFIG SET maxmemory 1gb"));
        long printed = node.counters().printed.sum();
        Poll.until(Duration.ofSeconds(15), "printing to resume", () -> node.counters().printed.sum() > printed + 5_000);
      } finally {
        node.stop();
      }
    }
  }

  /** AUTH, then one command on the same connection: its reply. */
  private static String redis(int port, String auth, String command) throws Exception {
    return RawRedis.say(port, java.util.List.of(auth, command)).get(1);
  }
}
