package hwaas.chaos;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A node stopped the way a shell stops it: {@code ./hwaas 1 0 &}, a job over the REST API, then {@code kill %1} (SIGTERM
 * to the job's whole process group; Ctrl-C in a terminal sends SIGINT to it the same way). The embedded Redis must not
 * get that signal too: it stopped at once, the workers could not leave the group, and the summary said
 * {@code pending=-1} (before the node watched its Redis) or the node started Redis again in the middle of its stop.
 */
class GroupSignalIT {

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  @DisplayName("SIGTERM to the node's process group after a REST job: Redis stops last, the summary counts pending=0")
  void groupSigtermAfterRestJob() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")),
        "setsid (util-linux) starts the node in a process group of its own, as a shell job is");
    Path dir = Path.of("target", "group-signal", UUID.randomUUID().toString().substring(0, 8));
    Files.createDirectories(dir);
    Path out = dir.resolve("node.out");
    Path err = dir.resolve("node.err");
    String token = "group-signal-" + UUID.randomUUID();
    List<String> command = new ArrayList<>(List.of("setsid", ProcessHandle.current().info().command().orElse("java"),
        "-XX:TieredStopAtLevel=1", "-Xmx256m", "--add-modules", "java.se", "-Dhazelcast.logging.type=slf4j",
        "-jar", ChaosCommand.nodeJar().toString(), "1", "0", "--http-port", "0",
        "--data-dir", dir.resolve("data").toString(), "--cluster-name", "group-signal-" + dir.getFileName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("HWAAS_TOKEN", token);
    Process node = builder.start();
    try {
      String http = awaitHttp(node, err);
      HttpResponse<String> submitted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(http + "/api/jobs"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"type\": \"print\", \"payload\": {\"message\": \"hello, world!\"}, \"client\": \"alice\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(202, submitted.statusCode(), submitted.body());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.readString(out).contains("hello, world!") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(Files.readString(out).contains("hello, world!"), "the job was printed");

      long group = processGroup(node.pid());
      assertEquals(node.pid(), group, "setsid made the node the leader of its own process group");
      // kill -TERM -- -PGID: the whole group, as the shell's kill %1
      assertEquals(0, new ProcessBuilder("kill", "-TERM", "--", "-" + group).start().waitFor());
      assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node stops");
      String stderr = Files.readString(err);
      assertEquals(0, node.exitValue(), stderr);
      assertTrue(stderr.contains("summary: submitted=0 printed=1 pending=0 failed=0"), stderr);
      assertFalse(stderr.contains("starting it again"), "Redis did not die under the node: " + stderr);
      assertFalse(stderr.contains("could not leave the group"), stderr);
    } finally {
      // A node stopped on a failure path: SIGTERM stops its Redis too; if it must be killed, its Redis (a session of
      // its own) is stopped by the pid it wrote.
      if (node.isAlive()) {
        node.destroy();
        if (!node.waitFor(20, TimeUnit.SECONDS)) {
          node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      Path pidFile = dir.resolve("data").resolve("redis.pid");
      if (Files.exists(pidFile)) {
        ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
            .filter(p -> p.info().command().map(c -> c.contains("redis-server")).orElse(false))
            .ifPresent(ProcessHandle::destroy);
      }
    }
  }

  private static String awaitHttp(Process node, Path err) throws Exception {
    Pattern http = Pattern.compile("\\n  http +(http://\\S+?)/? ");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Matcher found = http.matcher(Files.readString(err));
      if (found.find()) {
        return found.group(1);
      }
      assertTrue(node.isAlive(), "the node exited while starting: " + Files.readString(err));
      Thread.sleep(100);
    }
    throw new AssertionError("the node did not start within 60 s: " + Files.readString(err));
  }

  private static long processGroup(long pid) throws Exception {
    Process ps = new ProcessBuilder("ps", "-o", "pgid=", "-p", Long.toString(pid)).start();
    String pgid = new String(ps.getInputStream().readAllBytes()).trim();
    assertTrue(ps.waitFor(5, TimeUnit.SECONDS));
    return Long.parseLong(pgid);
  }
}
