package hwaas.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The measurements that need whole node processes: start-up to the first printed line, and resident memory. */
final class ProcessBench {
  private final Path scratch;
  private final PrintStream out;
  private final Path jar;
  private int run;

  ProcessBench(Path scratch, PrintStream out) throws Exception {
    this.scratch = scratch;
    this.out = out;
    this.jar = Path.of(ProcessBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!jar.toString().endsWith(".jar")) {
      throw new IllegalStateException("the start-up and memory measurements run the node jar; build it (./mvnw package) "
          + "or pass --skip-processes");
    }
  }

  /** Launch of {@code hwaas 1 1} to its first printed line, as the launcher starts it (with the class-data archive). */
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

  /** Resident size after 15 s at {@code 10 1000} and {@code 10 100000}, and what the latter printed per second. */
  List<BenchResult> memory() throws Exception {
    List<BenchResult> results = new ArrayList<>();
    for (String clients : List.of("1000", "100000")) {
      Process node = launch("10", clients, "--duration", "25");
      Thread.sleep(15_000);
      double mib = residentKib(node.pid()) / 1024.0;
      node.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      node.waitFor(60, TimeUnit.SECONDS);
      String stderr = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      Matcher summary = Pattern.compile("summary: submitted=\\d+ printed=(\\d+) .* elapsed=([0-9.]+)").matcher(stderr);
      out.printf("memory at 10 %s: %.0f MiB%n", clients, mib);
      results.add(BenchResult.of("resident memory at 10 workers, " + clients + " clients", "MiB", List.of(mib)));
      if (summary.find()) {
        results.add(BenchResult.of("printed at 10 workers, " + clients + " clients (whole run)", "jobs/s",
            List.of(Long.parseLong(summary.group(1)) / Double.parseDouble(summary.group(2)))));
      }
    }
    return results;
  }

  private Process launch(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    Path cds = jar.resolveSibling("hwaas.jsa");
    if (Files.exists(cds)) {
      command.add("-XX:SharedArchiveFile=" + cds);
    }
    command.addAll(List.of("-Xlog:disable", "-Xlog:all=warning:stderr", "--add-modules", "java.se", "-jar", jar.toString()));
    command.addAll(List.of(args));
    int n = run++;
    command.addAll(List.of("--http-port", "0", "--data-dir", scratch.resolve("node" + n).toString(),
        "--cluster-name", "hwaas-bench-" + ProcessHandle.current().pid() + "-" + n));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
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
