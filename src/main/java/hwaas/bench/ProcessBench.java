package hwaas.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measurements that need whole node processes: start-up to the first printed line, and resident memory (with
 * clients printing, and under REST load).
 */
final class ProcessBench {
  private final Path scratch;
  private final PrintStream out;
  private final Path launcher;
  /** --redis-server for every node started, or {@code null} for the jar's. */
  private final Path redisServer;
  private int run;

  ProcessBench(Path scratch, PrintStream out, Path redisServer) throws Exception {
    this.scratch = scratch;
    this.out = out;
    this.redisServer = redisServer;
    // The jar is target/hwaas.jar; the launcher a user runs is beside target/.
    Path jar = Path.of(ProcessBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    this.launcher = jar.toAbsolutePath().getParent().resolveSibling("hwaas");
    if (!jar.toString().endsWith(".jar") || !Files.isExecutable(launcher)) {
      throw new IllegalStateException("the start-up and memory measurements run ./hwaas beside the built jar; run the "
          + "bench as ./hwaas bench, or pass --skip-processes");
    }
  }

  /** Launch of {@code ./hwaas 1 1} to its first printed line. */
  BenchResult startup(int rounds) throws Exception {
    List<Double> seconds = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      Process node = launch("1", "1");
      try (BufferedReader stdout = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
        if (stdout.readLine() == null) {
          throw new IllegalStateException("the node printed nothing");
        }
        seconds.add((System.nanoTime() - start) / 1e9);
      } finally {
        stop(node);
      }
      out.printf("start-up: round %d: %.2f s%n", seconds.size(), seconds.get(seconds.size() - 1));
    }
    return BenchResult.of("start-up of ./hwaas 1 1 to the first line", "s", seconds);
  }

  /**
   * Resident size at {@code 10 1000} and {@code 10 100000}: the highest of one reading a second over 20 s, and the
   * lines printed per second from second 10 to 20 (stdout is read all along, as a pipe to a fast reader would be).
   */
  List<BenchResult> memory() throws Exception {
    List<BenchResult> results = new ArrayList<>();
    for (String clients : List.of("1000", "100000")) {
      Process node = launch("10", clients);
      AtomicLong lines = new AtomicLong();
      Thread reader = new Thread(() -> countLines(node.getInputStream(), lines), "bench-stdout");
      reader.start();
      long peakKib = 0;
      long linesAt10 = 0;
      long nanosAt10 = 0;
      double perSecond = 0;
      try {
        for (int second = 1; second <= 20 && node.isAlive(); second++) {
          Thread.sleep(1_000);
          peakKib = Math.max(peakKib, residentKib(node.pid()));
          if (second == 10) {
            linesAt10 = lines.get();
            nanosAt10 = System.nanoTime();
          } else if (second == 20) {
            perSecond = (lines.get() - linesAt10) / ((System.nanoTime() - nanosAt10) / 1e9);
          }
        }
        if (!node.isAlive()) {
          throw new IllegalStateException("the node at 10 " + clients + " stopped early; its log: " + log());
        }
      } finally {
        stop(node);
        reader.join(5_000);
      }
      out.printf("memory at 10 %s: peak %.0f MiB, %,.0f lines/s%n", clients, peakKib / 1024.0, perSecond);
      results.add(BenchResult.of("resident memory at 10 workers, " + clients + " clients (peak of 20 s)", "MiB",
          List.of(peakKib / 1024.0)));
      results.add(BenchResult.of("printed at 10 workers, " + clients + " clients (seconds 10-20)", "jobs/s", List.of(perSecond)));
    }
    return results;
  }

  /**
   * Resident size of {@code ./hwaas 2 0} while {@link HttpLoad} posts print jobs to it flat out over 32 connections
   * for {@code seconds}: the highest of one reading a second, and the rate it took. Stdout is read all along.
   */
  List<BenchResult> restMemory(int seconds) throws Exception {
    String token = "bench-" + java.util.UUID.randomUUID();
    int port = hwaas.support.FreePorts.loopback();
    Process node = launch(java.util.Map.of("HWAAS_TOKEN", token), "2", "0", "--http-port", Integer.toString(port));
    AtomicLong lines = new AtomicLong();
    Thread reader = new Thread(() -> countLines(node.getInputStream(), lines), "bench-stdout");
    reader.start();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    AtomicLong peakKib = new AtomicLong();
    HttpLoad.Outcome outcome;
    try (HttpLoad load = new HttpLoad(vertx, port, token, RestBench.CONNECTIONS)) {
      awaitHttp(load, node);
      long timer = vertx.setPeriodic(1_000, t -> vertx.executeBlocking(() -> peakKib.accumulateAndGet(residentKib(node.pid()), Math::max)));
      outcome = load.closedLoop(RestBench.CONNECTIONS, seconds, 50_000_000, n -> RestBench.printPost());
      vertx.cancelTimer(timer);
      peakKib.accumulateAndGet(residentKib(node.pid()), Math::max);
    } finally {
      vertx.close().await();
      stop(node);
      reader.join(5_000);
    }
    if (outcome.errors() > 0) {
      throw new IllegalStateException("REST load on a node process: " + outcome.errors() + " unexpected answers; the first: "
          + outcome.firstError());
    }
    out.printf("memory of ./hwaas 2 0 under REST POST: peak %.0f MiB over %d s at %,.0f requests/s%n", peakKib.get() / 1024.0,
        seconds, outcome.requestsPerSecond());
    return List.of(
        BenchResult.of("resident memory of ./hwaas 2 0 under REST POST, " + RestBench.CONNECTIONS + " conn. (peak of "
            + seconds + " s)", "MiB", List.of(peakKib.get() / 1024.0)),
        BenchResult.of("REST POST /api/jobs to that process", "jobs/s", List.of(outcome.requestsPerSecond())));
  }

  /** Until the node's API answers (it starts in a few seconds), or the node has stopped. */
  private void awaitHttp(HttpLoad load, Process node) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline && node.isAlive()) {
      try {
        if (HttpLoad.awaitBounded(load.send(new HttpLoad.Call(io.vertx.core.http.HttpMethod.GET, "/api/access", null, null,
            200, 0)), 5_000) == 200) {
          return;
        }
      } catch (Exception notYet) { // ConnectException, rethrown as it is by Future.await: not listening yet
        if (notYet instanceof InterruptedException interrupted) {
          throw interrupted;
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the node's API did not answer within 2 minutes; its log: " + log());
  }

  private static void countLines(InputStream in, AtomicLong lines) {
    byte[] buffer = new byte[1 << 16];
    try (in) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        long newlines = 0;
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            newlines++;
          }
        }
        lines.addAndGet(newlines);
      }
    } catch (IOException e) {
      // the node stopped: its stdout closed
    }
  }

  /** Through the launcher, as a user starts a node: the same JVM flags and class-data archive. It execs the JVM. */
  private Process launch(String... args) throws IOException {
    return launch(java.util.Map.of(), args);
  }

  private Process launch(java.util.Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    int n = run++;
    if (!command.contains("--http-port")) {
      command.addAll(List.of("--http-port", "0"));
    }
    command.addAll(List.of("--data-dir", scratch.resolve("node" + n).toString(),
        "--cluster-name", "hwaas-bench-" + ProcessHandle.current().pid() + "-" + n));
    if (redisServer != null && !command.contains("--redis")) {
      command.addAll(List.of("--redis-server", redisServer.toAbsolutePath().toString()));
    }
    // Standard error to a file: a pipe nobody reads would fill and stall the node.
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log().toFile()));
    builder.environment().putAll(env);
    return builder.start();
  }

  private Path log() {
    return scratch.resolve("nodes.log");
  }

  private static void stop(Process node) throws InterruptedException {
    node.destroy();
    if (!node.waitFor(15, TimeUnit.SECONDS)) {
      node.destroyForcibly();
    }
  }

  private static long residentKib(long pid) throws IOException, InterruptedException {
    Path status = Path.of("/proc", Long.toString(pid), "status");
    if (Files.exists(status)) {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    }
    Process ps = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(pid)).start();
    String rss = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    ps.waitFor();
    return Long.parseLong(rss);
  }
}
