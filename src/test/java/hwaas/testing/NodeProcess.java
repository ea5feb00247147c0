package hwaas.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A node in a JVM of its own, started from the built jar, so tests can SIGTERM it or kill -9 it. */
public final class NodeProcess implements AutoCloseable {
  private static final Path JAR = Path.of(System.getProperty("hwaas.home", ".")).resolve("target/hwaas.jar");

  private final String name;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private NodeProcess(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static NodeProcess start(Path dir, String name, String... args) throws IOException {
    return start(dir, name, java.util.Map.of(), args);
  }

  /**
   * A node of the cluster {@code cluster}, writing its audit to {@code dir/<name>.audit} (and its output to
   * {@code dir/<name>.out}).
   */
  public static NodeProcess inCluster(Path dir, String cluster, String name, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--cluster-name", cluster, "--audit", dir.resolve(name + ".audit").toString()));
    return start(dir, name, all.toArray(String[]::new));
  }

  /** With these variables added to the node's environment. */
  public static NodeProcess start(Path dir, String name, java.util.Map<String, String> env, String... args) throws IOException {
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:TieredStopAtLevel=1", "-Xmx256m", "--add-modules", "java.se",
        "-Dhazelcast.logging.type=slf4j", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    return new NodeProcess(name, process, out, err);
  }

  public NodeProcess awaitStarted() throws Exception {
    Poll.until(Duration.ofSeconds(60), name + " to start (stderr: " + stderr + ")", () -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ": " + stderrText());
      }
      return stderrText().contains(" started in ");
    });
    return this;
  }

  public long pid() {
    return process.pid();
  }

  /** SIGTERM and wait: the graceful stop. Returns the exit status. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not stop within 20 s of SIGTERM");
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown of any kind. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " still running after " + timeout);
    }
    return process.exitValue();
  }

  public String stderrText() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "";
    }
  }

  public List<String> stdoutLines() throws IOException {
    return Files.readAllLines(stdout);
  }

  /** The HTTP port from the start-up block. */
  public int httpPort() {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("http +http://[^:]+:(\\d+)/").matcher(stderrText());
    if (!m.find()) {
      throw new AssertionError(name + " printed no http line: " + stderrText());
    }
    return Integer.parseInt(m.group(1));
  }

  /** The API token from the start-up block. */
  public String token() {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("token +(\\S+)").matcher(stderrText());
    if (!m.find()) {
      throw new AssertionError(name + " printed no token: " + stderrText());
    }
    return m.group(1);
  }

  /** The numbers of the node's summary line. */
  public long summary(String field) {
    String line = stderrText().lines().filter(l -> l.startsWith("summary: ")).findFirst()
        .orElseThrow(() -> new AssertionError(name + " printed no summary: " + stderrText()));
    for (String part : line.substring("summary: ".length()).split(" ")) {
      if (part.startsWith(field + "=")) {
        return (long) Double.parseDouble(part.substring(field.length() + 1));
      }
    }
    throw new AssertionError("no " + field + " in " + line);
  }

  /** After a failed test: a graceful stop first (a node's embedded Redis stops with it), SIGKILL if that hangs. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
