package hwaas.node;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code ./hwaas} launcher as a user runs it: a separate process, its output streams and exit status. */
class LauncherIT {
  private static final Path HOME = Path.of(System.getProperty("hwaas.home", ".")).toAbsolutePath();

  record Run(int exit, List<String> stdout, String stderr) {
  }

  /** The launcher's one-time work (class-data archive after a build) happens here, not inside a timed test. */
  @org.junit.jupiter.api.BeforeAll
  static void warmLauncher() throws Exception {
    Run run = hwaas(120, "--version");
    assertEquals(0, run.exit(), run.stderr());
  }

  @Test
  @DisplayName("./hwaas 1 1 --duration 3 prints hello, world! lines on stdout only, a summary on stderr, and exits 0")
  void runsForDuration() throws Exception {
    Run run = hwaas(60, "1", "1", "--duration", "3", "--http-port", "0", "--cluster-name", "launcher-it");

    assertEquals(0, run.exit(), run.stderr());
    assertTrue(run.stdout().size() >= 2 && run.stdout().size() <= 5, "lines: " + run.stdout());
    assertTrue(run.stdout().stream().allMatch("hello, world!"::equals), "stdout must hold printed jobs only: " + run.stdout());
    String summary = run.stderr().lines().filter(l -> l.startsWith("summary: ")).findFirst().orElseThrow();
    assertTrue(summary.matches("summary: submitted=\\d+ printed=\\d+ pending=0 failed=0 elapsed=\\d+\\.\\d"), summary);
    assertTrue(summary.contains("printed=" + run.stdout().size() + " "), summary + " vs " + run.stdout().size() + " lines");
    assertTrue(run.stderr().contains("workers  1"), run.stderr());
  }

  @Test
  @DisplayName("--redis-server runs a redis-server of the machine's (laid out as Debian's) as the embedded Redis, and the banner names it")
  void machineRedisServer(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path real = Files.copy(hwaas.redis.EmbeddedRedis.binary(), dir.resolve("redis-check-rdb"));
    Path link = Files.createSymbolicLink(dir.resolve("redis-server"), real);
    Run run = hwaas(60, "1", "1", "--duration", "3", "--http-port", "0", "--cluster-name", "launcher-it-server",
        "--data-dir", dir.resolve("data").toString(), "--redis-server", link.toString());

    assertEquals(0, run.exit(), run.stderr());
    assertTrue(run.stdout().size() >= 2 && run.stdout().stream().allMatch("hello, world!"::equals), run.stdout().toString());
    assertTrue(run.stderr().contains(", server " + link.toAbsolutePath() + ")"), run.stderr());
  }

  @Test
  @DisplayName("--message prints the text exactly as given")
  void customMessage() throws Exception {
    Run run = hwaas(60, "1", "1", "--duration", "1.5", "--http-port", "0", "--message", "  bonjour, 世界 $HOME ",
        "--cluster-name", "launcher-it-msg");

    assertEquals(0, run.exit(), run.stderr());
    assertFalse(run.stdout().isEmpty(), run.stderr());
    assertTrue(run.stdout().stream().allMatch("  bonjour, 世界 $HOME "::equals), run.stdout().toString());
  }

  @Test
  @DisplayName("bad arguments print one error line and the usage hint, and exit 2")
  void badArguments() throws Exception {
    assertUsageError(hwaas(30, "x", "1"), "WORKERS");
    assertUsageError(hwaas(30, "-1", "2"), "WORKERS must be 0 or more");
    assertUsageError(hwaas(30, "1", "1", "--bogus"), "Unknown option: '--bogus'");
    assertUsageError(hwaas(30, "1"), "CLIENTS");
    assertUsageError(hwaas(30, "1", "1", "--rate", "0"), "--rate");
    assertUsageError(hwaas(30, "1", "1", "--redis", "http://x"), "--redis");
    assertUsageError(hwaas(30, "1", "1", "--redis", "redis-sentinel://:pw@127.0.0.1:26379"), "/MASTER_NAME");
    assertUsageError(hwaas(30, "1", "1", "--redis-replicas", "17"), "--redis-replicas must be between 0 and 16");
    assertUsageError(hwaas(30, "1", "1", "--redis", "redis-cluster://"), "redis-cluster://[:password@]host:port[,host:port...]");
    assertUsageError(hwaas(30, "1", "1", "--partitions", "3"),
        "--partitions spreads the streams over a Redis Cluster's primaries: give it with a redis-cluster:// --redis");
    assertUsageError(hwaas(30, "1", "1", "--redis", "redis-cluster://127.0.0.1:7000", "--partitions", "65"),
        "--partitions must be between 1 and 64, got 65");
    assertUsageError(hwaas(30, "1", "1", "--redis-server", "/no/such/redis-server"),
        "--redis-server /no/such/redis-server: not an executable file");
    assertUsageError(hwaas(30, "1", "1", "--redis-server", "/no/such/redis-server", "--redis", "redis://127.0.0.1:6379"),
        "--redis-server runs the embedded Redis, and --redis (or HWAAS_REDIS) means none is started here");
    assertUsageError(hwaas(30, "1", "1", "--log-level", "loud"), "--log-level");
    assertUsageError(hwaas(30, "1", "1", "--http-port", "0", "--audit", "/proc/no/such/audit"), "--audit /proc/no/such/audit");
  }

  @Test
  @DisplayName("closed by default: a message with ESC, a non-loopback cluster host without a keystore, a Redis password in a bad URL")
  void unsafeInputIsRefused() throws Exception {
    Run esc = hwaas(30, "1", "1", "--http-port", "0", "--message", "\u001b[31mred");
    assertUsageError(esc, "U+001B (ESC)");
    Run open = hwaas(30, "1", "1", "--http-port", "0", "--cluster-host", "10.255.255.1");
    assertUsageError(open, "--cluster-host 10.255.255.1 is not a loopback address");
    assertTrue(open.stderr().contains("--insecure-cluster") && open.stderr().contains("--cluster-keystore"), open.stderr());
    Run leaky = hwaas(30, "1", "1", "--http-port", "0", "--redis", "redis://:hunter2-secret@exa mple:6379");
    assertUsageError(leaky, "--redis");
    assertFalse(leaky.stderr().contains("hunter2-secret"), leaky.stderr());
  }

  @Test
  @DisplayName("an HTTP port in use exits 2 before anything starts")
  void portInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      Run run = hwaas(30, "1", "1", "--http-port", Integer.toString(taken.getLocalPort()));
      assertUsageError(run, "--http-port " + taken.getLocalPort());
    }
  }

  @Test
  @DisplayName("an unreachable --redis is a runtime failure: exit 1 with what to do")
  void unreachableRedis() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Run run = hwaas(30, "1", "1", "--http-port", "0", "--redis", "redis://127.0.0.1:" + closedPort);

    assertEquals(1, run.exit(), run.stderr());
    assertTrue(run.stderr().contains("cannot reach Redis at 127.0.0.1:" + closedPort), run.stderr());
    assertTrue(run.stdout().isEmpty());
  }

  @Test
  @DisplayName("--help documents every flag and exits 0")
  void help() throws Exception {
    Run run = hwaas(30, "--help");

    assertEquals(0, run.exit());
    String help = String.join("\n", run.stdout());
    for (String flag : List.of("WORKERS", "CLIENTS", "--rate", "--message", "--redis", "--http-host", "--http-port",
        "--duration", "--log-level", "--cluster-name", "--cluster-host", "--members", "--batch", "--data-dir", "--fsync",
        "--visibility-timeout", "--max-attempts", "--job-timeout", "--dedup-window", "--audit", "--max-sleep",
        "--record-ttl", "--join", "--event-bus-port", "--redis-replicas", "--partitions", "--redis-server", "redis-sentinel://", "--cluster-keystore", "HWAAS_REDIS", "HWAAS_TOKEN", "HWAAS_MEMBERS",
        "HWAAS_CLUSTER_HOST", "HWAAS_CLUSTER_KEYSTORE_PASSWORD")) {
      assertTrue(help.contains(flag), "help does not mention " + flag);
    }
  }

  @Test
  @DisplayName("./hwaas audit counts submitted, printed, duplicates and lost from the files, and exits 1 on a loss")
  void auditSubcommand(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path printed = dir.resolve("n.audit");
    Files.write(printed, List.of("c:0", "c:1", "c:1", "c:3"));
    Files.write(dir.resolve("n.audit.submitted"), List.of("c:0", "c:1", "c:2", "c:3"));

    Run run = hwaas(30, "audit", printed.toString());

    assertEquals(1, run.exit(), run.stderr());
    assertEquals(List.of("audit: submitted=4 printed=3 duplicates=1 lost=1 unconfirmed=0"), run.stdout());
    assertTrue(run.stderr().contains("c:2"), run.stderr());
    assertUsageError(hwaas(30, "audit", dir.resolve("missing").toString()), "does not exist");
  }

  @Test
  @DisplayName("./hwaas dead list starts the embedded Redis on the data directory when no node runs there")
  void deadSubcommand(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Run run = hwaas(30, "dead", "list", "--data-dir", dir.toString());

    assertEquals(0, run.exit(), run.stderr());
    assertEquals("0 dead job(s)", run.stdout().get(run.stdout().size() - 1));
    assertUsageError(hwaas(30, "dead", "requeue", "--data-dir", dir.toString()), "either ids or --all");
  }

  private static void assertUsageError(Run run, String mentions) {
    assertEquals(2, run.exit(), run.stderr());
    assertTrue(run.stdout().isEmpty(), "nothing on stdout: " + run.stdout());
    // Launcher notes ("building", "preparing a class-data archive") are not the program's output.
    List<String> lines = run.stderr().lines()
        .filter(l -> !l.matches("hwaas: (building|preparing|another \\./hwaas).*")).toList();
    assertEquals(2, lines.size(), "one error line and the usage hint: " + lines);
    assertTrue(lines.get(0).startsWith("hwaas") && lines.get(0).contains(mentions), lines.get(0));
    assertTrue(lines.get(1).startsWith("Usage: hwaas"), lines.get(1));
  }

  private static Run hwaas(int timeoutSeconds, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(HOME.resolve("hwaas").toString());
    command.addAll(List.of(args));
    File out = Files.createTempFile("hwaas-out", ".txt").toFile();
    File err = Files.createTempFile("hwaas-err", ".txt").toFile();
    ProcessBuilder builder = new ProcessBuilder(command).directory(HOME.toFile())
        .redirectOutput(out).redirectError(err);
    builder.environment().remove("HWAAS_REDIS");
    Process process = builder.start();
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new AssertionError("./hwaas " + String.join(" ", args) + " still running after " + timeoutSeconds + " s");
      }
      return new Run(process.exitValue(), Files.readAllLines(out.toPath(), StandardCharsets.UTF_8),
          Files.readString(err.toPath(), StandardCharsets.UTF_8));
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      out.delete();
      err.delete();
    }
  }
}
