package hwaas.schedule;

import hwaas.testing.Api;
import hwaas.testing.NodeProcess;
import hwaas.testing.Poll;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exactly one job per tick across node processes, when a node that fires schedules is killed with -9 mid-way. */
class ScheduleKillIT {
  private static final int SECONDS = 16;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir = Path.of("target", "schedule-kill", run);
  private final String name = "schedule-kill-it-" + run;

  @Test
  @DisplayName("three nodes share a schedule firing every second; one killed with -9 mid-way: one job per tick, none twice")
  void oneJobPerTickThroughAKill() throws Exception {
    try (NodeProcess home = start("home", "1", "0", "--data-dir", dir.resolve("data").toString());
         NodeProcess second = start("second", "1", "0", "--join");
         NodeProcess third = start("third", "0", "0", "--join")) {
      home.awaitStarted();
      second.awaitStarted();
      third.awaitStarted();
      Api api = new Api(home.httpPort(), home.token());
      String message = "tick " + run;
      Instant created = Instant.now();
      Api.Reply reply = api.post("/api/schedules", new JsonObject().put("name", "every-second").put("cron", "* * * * * *")
          .put("job", new JsonObject().put("type", "print").put("payload", new JsonObject().put("message", message))
              .put("client", "kill-it")).encode());
      assertEquals(201, reply.status(), reply.body());
      Thread.sleep(SECONDS / 2 * 1000L);
      // The third node runs no worker: it only fires ticks, so its death can cost nothing but a tick.
      third.kill9();
      Thread.sleep(SECONDS / 2 * 1000L);
      assertEquals(204, api.delete("/api/schedules/every-second").status());
      Instant deleted = Instant.now();

      // The ticks fired, from the jobs' records: every second from the first to the last, each once.
      List<Long> ticks = new ArrayList<>();
      api.get("/api/jobs?client=kill-it&limit=1000").json().getJsonArray("jobs").forEach(job ->
          ticks.add(Instant.parse(((JsonObject) job).getString("tick")).getEpochSecond()));
      Collections.sort(ticks);
      assertTrue(ticks.size() >= SECONDS - 2, "only " + ticks.size() + " ticks fired in about " + SECONDS + " s: " + ticks);
      assertEquals(new HashSet<>(ticks).size(), ticks.size(), "a tick fired twice: " + ticks);
      assertEquals(ticks.get(ticks.size() - 1) - ticks.get(0) + 1, ticks.size(), "a tick was skipped: " + ticks);
      assertTrue(ticks.get(0) <= created.getEpochSecond() + 6 && ticks.get(ticks.size() - 1) >= deleted.getEpochSecond() - 6,
          "the ticks " + ticks + " do not span the schedule's life, " + created + " to " + deleted);

      // Each fired job printed once, on the two nodes that run workers.
      Poll.until(Duration.ofSeconds(30), "every tick's job to print", () -> printed(home, second, message).size() >= ticks.size());
      assertEquals(ticks.size(), printed(home, second, message).size());
      List<String> ids = new ArrayList<>(Files.readAllLines(dir.resolve("home.audit")));
      ids.addAll(Files.readAllLines(dir.resolve("second.audit")));
      assertEquals(ticks.size(), new HashSet<>(ids).size(), "audited jobs: " + ids);
      assertEquals(ids.size(), new HashSet<>(ids).size(), "a tick's job printed twice: " + ids);
    }
  }

  private static List<String> printed(NodeProcess home, NodeProcess second, String message) {
    try {
      List<String> lines = new ArrayList<>(home.stdoutLines());
      lines.addAll(second.stdoutLines());
      return lines.stream().filter(message::equals).toList();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private NodeProcess start(String node, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--http-port", "0"));
    return NodeProcess.inCluster(dir, name, node, all.toArray(String[]::new));
  }
}
