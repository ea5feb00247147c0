package hwaas.bench;

import hwaas.redis.EmbeddedRedis;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps {@code ./hwaas bench} working: one tiny run (it measures nothing worth quoting at this size). */
class BenchIT {
  @Test
  @DisplayName("./hwaas bench in a tiny configuration prints its table with every in-process measurement")
  void tinyBench() throws Exception {
    Path home = Path.of(System.getProperty("hwaas.home", ".")).toAbsolutePath();
    Path out = Files.createTempFile("bench", ".out");
    Path err = Files.createTempFile("bench", ".err");
    // --redis-server's path through the bench: the jar's binary, as a file of the machine's would be given.
    Path machineRedis = EmbeddedRedis.binary();
    Process bench = new ProcessBuilder(home.resolve("hwaas").toString(), "bench", "--jobs", "500", "--rounds", "1",
        "--workers", "1", "--sustained-seconds", "1", "--latency-seconds", "1", "--rest-seconds", "1", "--skip-processes",
        "--cancel-samples", "10", "--redis-server", machineRedis.toString())
        .directory(home.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(bench.waitFor(300, TimeUnit.SECONDS), "bench still running after 5 minutes");
    assertEquals(0, bench.exitValue(), () -> "the bench failed; the end of its output:\n" + tail(out) + "\nand of its errors:\n" + tail(err));
    assertTrue(Files.readAllLines(out).contains("Redis: " + machineRedis + " (--redis-server)"), tail(out));
    List<String> table = Files.readAllLines(out).stream().filter(l -> l.startsWith("| ")).toList();
    for (String row : List.of("raw stream cycle inside Redis", "pipelined from one client",
        "Redis floor per API job, own record", "Redis floor per API job, one record per batch", "drain 500 jobs, 1 worker",
        "1 job/entry", "sustained", "p99", "p99.9", "max", "REST POST /api/jobs, 32 conn.", "with Idempotency-Key",
        "REST POST /api/jobs/batch of 1000", "REST GET /api/jobs/{id}", "REST submit sum + ?wait",
        "page of 100 over 10,000+ records, no filter, while the workers run them", "page of 100 over 10,000+ records, no filter, p99",
        "page of 100 over 10,000+ records, state=completed&type=print",
        "delayed jobs pending: Redis memory of 10,000", "due jobs moved to their streams", "schedule tick to job started",
        "Sentinel, --redis-replicas 0", "Sentinel, --redis-replicas 1", "Redis Cluster of 1 primary", "Redis Cluster of 3 primaries",
        "REST POST /api/jobs/batch of 1000, Redis Cluster of 3 primaries",
        "REST dead letters: bulk requeue of 10,000", "REST dead letters: bulk delete of 10,000",
        "External workers over HTTP, fetch max=100", "of it, Redis CPU per job")) {
      assertTrue(table.stream().anyMatch(l -> l.contains(row)), "no '" + row + "' row in " + table);
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (java.io.IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
