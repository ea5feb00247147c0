package hwaas.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of the rig, across its restarts: the command line, the current process, its standard output counted by
 * an {@link OutputReader}, its standard error appended to a log file. A restarted node runs the same command, so it
 * appends to the same audit files. Once {@link #shutDown} it starts nothing more, so a shutdown hook racing with a
 * restart never leaves a process behind.
 */
final class NodeRunner {
  private static final Pattern STARTED = Pattern.compile("hwaas node (\\S+) started in ");
  private static final Pattern HTTP = Pattern.compile("\\n  http +(http://\\S+?)/? ");
  private final String name;
  private final boolean worker;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path log;
  private final Path audit;
  private final AtomicLong lines = new AtomicLong();
  private Process process;
  private OutputReader reader;
  private Thread readerThread;
  private long logOffset;
  private boolean shutDown;
  private int starts;
  /** Of the current process, once started: its node id and HTTP address (from its start-up block). */
  private volatile String nodeId;
  private volatile String http;

  NodeRunner(String name, boolean worker, List<String> command, Map<String, String> environment, Path log, Path audit) {
    this.name = name;
    this.worker = worker;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.log = log;
    this.audit = audit;
  }

  String name() {
    return name;
  }

  boolean worker() {
    return worker;
  }

  Path audit() {
    return audit;
  }

  Path log() {
    return log;
  }

  /** Lines this node printed on standard output, over all its processes. */
  long lines() {
    return lines.get();
  }

  synchronized void start() throws IOException {
    if (shutDown) {
      throw new IllegalStateException(name + " not started: the chaos run is stopping");
    }
    logOffset = Files.exists(log) ? Files.size(log) : 0;
    nodeId = null;
    http = null;
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    process = builder.start();
    reader = new OutputReader(process.getInputStream(), lines);
    readerThread = new Thread(reader, "chaos-stdout-" + name);
    readerThread.setDaemon(true);
    readerThread.start();
    starts++;
  }

  /** Waits for the start-up block on standard error; fails, naming the log, if the node exits or takes too long. */
  void awaitStarted(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String started;
    while (!(started = startedLog()).contains(" started in ") || !HTTP.matcher(started).find()) {
      Process current = current();
      if (!current.isAlive()) {
        throw new IllegalStateException(name + " exited with status " + current.exitValue() + " while starting; see " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " did not start within " + timeout.toSeconds() + " s; see " + log);
      }
      Thread.sleep(100);
    }
    readStartUp(started);
  }

  private synchronized void readStartUp(String started) {
    Matcher id = STARTED.matcher(started);
    Matcher url = HTTP.matcher(started);
    if (id.find() && url.find()) {
      nodeId = id.group(1);
      http = url.group(1);
    }
  }

  /** The node id of the current process, from its start-up block; {@code null} while it starts. */
  String nodeId() throws IOException {
    if (nodeId == null) {
      readStartUp(startedLog());
    }
    return nodeId;
  }

  /** The base URL of the current process's HTTP server ({@code http://127.0.0.1:PORT}); {@code null} while it starts. */
  String http() throws IOException {
    if (http == null) {
      readStartUp(startedLog());
    }
    return http;
  }

  private String startedLog() throws IOException {
    long offset;
    synchronized (this) {
      offset = logOffset;
    }
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) Math.min(offset, all.length), all.length - (int) Math.min(offset, all.length),
        StandardCharsets.UTF_8);
  }

  synchronized long pid() {
    return process.pid();
  }

  /** The pid of the current process while it runs. */
  synchronized Optional<Long> pidIfRunning() {
    return process != null && process.isAlive() ? Optional.of(process.pid()) : Optional.empty();
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** The exit status of the current process, or {@code null} while it runs. */
  synchronized Integer exitStatus() {
    return process == null || process.isAlive() ? null : process.exitValue();
  }

  /** How many processes this node had (1 + restarts). */
  synchronized int starts() {
    return starts;
  }

  /** {@code kill -SIGNAL pid} of the current process. */
  void signal(String signal) {
    Signals.send(pid(), signal);
  }

  /** SIGKILL: no shutdown of any kind; returns whether the process is gone (waits up to 10 s). */
  boolean kill9() throws InterruptedException {
    signal("KILL");
    return current().waitFor(10, TimeUnit.SECONDS);
  }

  void slowOutput(boolean slow) {
    currentReader().slow(slow);
  }

  /** Reads of the current output while slow, and how many found more output waiting ({@link OutputReader#slowReads}). */
  long[] slowReads() {
    return currentReader().slowReads();
  }

  void closeOutput() {
    currentReader().requestClose();
  }

  /** Waits for the current process to exit; its status, or {@code null} if it still runs after {@code timeout}. */
  Integer awaitExit(Duration timeout) throws InterruptedException {
    Process current = current();
    return current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? current.exitValue() : null;
  }

  /**
   * The graceful stop: SIGCONT first (a stopped process would hold SIGTERM back), SIGTERM, then SIGKILL after
   * {@code timeout}. Waits for standard output to be read to its end, so the line count is complete. Returns the
   * exit status, or {@code null} if it had to be killed.
   */
  Integer stop(Duration timeout) throws InterruptedException {
    Process current = current();
    if (current == null) {
      return null;
    }
    Integer status = null;
    if (current.isAlive()) {
      Signals.send(current.pid(), "CONT");
      current.destroy();
      if (current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        status = current.exitValue();
      } else {
        current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } else {
      status = current.exitValue();
    }
    Thread thread;
    synchronized (this) {
      thread = readerThread;
    }
    thread.join(5_000);
    return status;
  }

  /** Starts nothing more and stops what runs (at the end of the run, or from the shutdown hook); as {@link #stop}. */
  Integer shutDown(Duration timeout) throws InterruptedException {
    synchronized (this) {
      shutDown = true;
    }
    return stop(timeout);
  }

  private synchronized Process current() {
    return process;
  }

  private synchronized OutputReader currentReader() {
    return reader;
  }

  @Override
  public String toString() {
    return name;
  }
}
