package hwaas.redis;

import hwaas.support.FreePorts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real redis-server 7.0.15 run on a loopback port, keeping an append-only file in a data directory. The jar ships it:
 * on Linux x86-64 HWaaS's own build ({@code tools/build-redis.sh}: Redis's jemalloc, statically linked), elsewhere the
 * one in the org.signal:embedded-redis jar (a static build on the C library's malloc, about twice the CPU per job).
 * It runs in a session of its own (Redis's {@code daemonize}: it forks and calls setsid), not in the node's process
 * group: a signal meant for the node's group (Ctrl-C in a terminal, {@code kill %1} of a shell job) would otherwise
 * stop Redis at the moment the node's workers still acknowledge their last jobs; the node stops it itself, last. The
 * directory is owned through a file lock: a node that finds the lock free but a Redis
 * still running there knows its owner was killed (kill -9), stops that orphan (Redis syncs its file on SIGTERM) and
 * starts afresh on the same data.
 *
 * <p>It is private to the user who runs the node: the binary is extracted to a 0700 directory of the user's and
 * checked against the jar's copy (SHA-256) before every start; the data directory is 0700; the server requires a
 * password, made once per data directory and kept in its 0600 {@code redis.conf} (so a restart on the same data
 * keeps it, and {@code ps} never shows it); the URL with the password, for {@code --redis} and the subcommands, is
 * in the 0600 {@code redis.url}.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
  private static final String VERSION = "7.0.15";
  /** The append-only file's size before Redis first compacts it (then at twice the size after each compaction). */
  static final String AOF_REWRITE_MIN_SIZE = "256mb";
  /** In the data directory: the server's configuration, with the password (0600). */
  static final String CONFIG = "redis.conf";
  /** How long a server may stay silent after it bound its port. */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
  /** A server that answers LOADING is reading its append-only file: a large one takes a while on a busy machine. */
  static final Duration LOADING_LIMIT = Duration.ofMinutes(10);
  private static final String WHAT_TO_DO =
      "Start a Redis 6.2+ yourself and pass --redis redis://127.0.0.1:6379 (or set HWAAS_REDIS).";

  /** The server, found through its pid file (a daemon is not our child). */
  private volatile ProcessHandle process;
  /** How the server was started, so that a watcher can start it again the same way. */
  private final List<String> command;
  private volatile boolean closing;
  private final int port;
  private final String password;
  private final Path dataDir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Duration answerWithin;

  private EmbeddedRedis(ProcessHandle process, List<String> command, int port, String password, Path dataDir, FileChannel lockChannel,
                        FileLock lock, Duration answerWithin) {
    this.process = process;
    this.command = command;
    this.port = port;
    this.password = password;
    this.dataDir = dataDir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.answerWithin = answerWithin;
  }

  /**
   * Where the binary is unpacked: {@code $XDG_RUNTIME_DIR/hwaas/bin} when the session has one (a 0700 directory of
   * the user's), else {@code ~/.hwaas/bin}; never a shared temporary directory another user could prepare.
   */
  static Path binaryDir() {
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
      return Path.of(runtime, "hwaas", "bin");
    }
    return Path.of(System.getProperty("user.home"), ".hwaas", "bin");
  }

  /** Starts on a free port; see {@link #start(Path, String, int)}. */
  public static EmbeddedRedis start(Path dataDir, String fsync) {
    return start(dataDir, fsync, 0);
  }

  /**
   * @param fsync {@code everysec} or {@code always}
   * @param port  0 for any free port
   * @throws DataDirInUseException when a live node owns the data directory
   */
  public static EmbeddedRedis start(Path dataDir, String fsync, int port) {
    return start(dataDir, fsync, port, binaryDir(), RedisSettings.DEFAULT_MAX_MEMORY, ANSWER_WITHIN, null);
  }

  /**
   * With a memory limit ({@code maxmemory}, e.g. {@code 1gb}; past it, writes are refused, nothing is evicted).
   *
   * @param server a redis-server of the machine's to run instead of the jar's ({@code --redis-server}), checked
   *               first (see {@link RedisServerBinary}); {@code null}: the jar's
   */
  public static EmbeddedRedis start(Path dataDir, String fsync, String maxMemory, Path server) {
    return start(dataDir, fsync, 0, binaryDir(), maxMemory, ANSWER_WITHIN, server);
  }

  static EmbeddedRedis start(Path dataDir, String fsync, int port, Path binDir) {
    return start(dataDir, fsync, port, binDir, RedisSettings.DEFAULT_MAX_MEMORY, ANSWER_WITHIN, null);
  }

  /** With a shorter wait for the first answer than {@link #ANSWER_WITHIN}: for tests. */
  static EmbeddedRedis start(Path dataDir, String fsync, int port, Path binDir, Duration answerWithin) {
    return start(dataDir, fsync, port, binDir, RedisSettings.DEFAULT_MAX_MEMORY, answerWithin, null);
  }

  private static EmbeddedRedis start(Path dataDir, String fsync, int port, Path binDir, String maxMemory,
                                     Duration answerWithin, Path server) {
    // A binary of the machine's is checked before anything is touched: a bad one changes nothing.
    Path given = server == null ? null : RedisServerBinary.checked(server);
    FileChannel channel = null;
    try {
      PrivateFiles.directory(dataDir);
      channel = FileChannel.open(dataDir.resolve("hwaas.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = tryLock(channel);
      if (lock == null) {
        throw new DataDirInUseException(dataDir);
      }
      stopOrphan(dataDir, given);
      Path binary = given != null ? given : checkedBinary(PrivateFiles.directory(binDir));
      String password = password(dataDir);
      for (int attempt = 0; ; attempt++) {
        try {
          return launch(binary, dataDir, fsync, maxMemory, port != 0 ? port : FreePorts.loopback(), password, channel, lock,
              answerWithin);
        } catch (PortTakenException e) {
          if (port != 0 || attempt == 2) {
            throw new RedisStartException("embedded Redis could not bind a port: " + e.getMessage() + ". " + WHAT_TO_DO);
          }
        }
      }
    } catch (IOException e) {
      closeQuietly(channel);
      throw new RedisStartException("embedded Redis could not start in " + dataDir + ": " + e + ". " + WHAT_TO_DO, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /** The checked redis-server binary of the jar, for starting more servers from it (replicas, sentinels). */
  public static Path binary() {
    try {
      return checkedBinary(PrivateFiles.directory(binaryDir()));
    } catch (IOException e) {
      throw new RedisStartException("the embedded Redis binary cannot be unpacked into " + binaryDir() + ": " + e + ". " + WHAT_TO_DO, e);
    }
  }

  /** The URL of the Redis a live node runs on this data directory, if one does. */
  public static Optional<URI> runningIn(Path dataDir) {
    try {
      return Optional.of(URI.create(Files.readString(dataDir.resolve("redis.url")).trim()));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The URL with the password: give it only to clients, never to a log or the cluster (see {@link RedisSettings#redacted}). */
  public URI url() {
    return URI.create("redis://:" + password + "@127.0.0.1:" + port);
  }

  public long pid() {
    return process.pid();
  }

  /** Stops the server (SIGTERM, so it syncs its file; SIGKILL after 3 s) and gives up the data directory. */
  @Override
  public void close() {
    closing = true;
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!awaitExit(process, 3)) {
          process.destroyForcibly();
          awaitExit(process, 2);
        }
      }
      Files.deleteIfExists(dataDir.resolve("redis.url"));
    } catch (IOException e) {
      log.warn("embedded Redis on port {}: could not remove {}", port, dataDir.resolve("redis.url"), e);
    } finally {
      release(lock, lockChannel);
    }
  }

  private static EmbeddedRedis launch(Path binary, Path dir, String fsync, String maxMemory, int port, String password,
                                      FileChannel channel, FileLock lock, Duration answerWithin) throws IOException {
    Path logFile = dir.resolve("redis.log");
    // The password comes from the 0600 config file, never from the command line, where ps would show it.
    List<String> command = List.of(binary.toString(), dir.resolve(CONFIG).toAbsolutePath().toString(),
        "--port", Integer.toString(port), "--bind", "127.0.0.1",
        // A session of its own, so that the node's process group's signals do not reach it; its log then goes to
        // the file itself (appended to: after a restart, the log still tells why the server went away).
        "--daemonize", "yes", "--logfile", logFile.toAbsolutePath().toString(),
        "--dir", dir.toAbsolutePath().toString(), "--pidfile", dir.resolve("redis.pid").toAbsolutePath().toString(),
        "--appendonly", "yes", "--appendfsync", fsync, "--save", "",
        // Compacted less often than Redis's default (at 64 MB): a rewrite forks the whole data set, and under the load
        // of a busy node (about 20 MB of appends a second while due jobs move 50,000 a second) the default rewrote
        // every two seconds, each slowing the scripts meanwhile several times over.
        "--auto-aof-rewrite-min-size", AOF_REWRITE_MIN_SIZE,
        // Bounded, and never by throwing data away: a full Redis refuses writes (clients wait and resend).
        "--maxmemory", maxMemory, "--maxmemory-policy", "noeviction");
    ProcessHandle process = spawn(command, dir, port);
    EmbeddedRedis redis = new EmbeddedRedis(process, command, port, password, dir, channel, lock, answerWithin);
    try {
      redis.awaitReady(logFile);
      PrivateFiles.writeSecret(dir.resolve("redis.url"), redis.url() + "\n");
      return redis;
    } catch (PortTakenException e) {
      process.destroyForcibly();
      throw e;
    } catch (IOException | RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  /**
   * Starts the server and returns it once it wrote its pid file (it has bound its port by then). What it says before
   * it forks (a bad option) goes to the same log.
   */
  private static ProcessHandle spawn(List<String> command, Path dir, int port) throws IOException {
    Path logFile = dir.resolve("redis.log");
    Path pidFile = dir.resolve("redis.pid");
    Files.deleteIfExists(pidFile); // left by a server that died: it is not this one's
    long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
    Process launcher = withCLocale(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Optional<ProcessHandle> server = running(pidFile);
      if (server.isPresent()) {
        return server.get();
      }
      String said = logSince(logFile, logStart);
      if (said.contains("Address already in use")) {
        throw new PortTakenException("port " + port + " was taken meanwhile");
      }
      boolean launcherFailed = !launcher.isAlive() && launcher.exitValue() != 0;
      if (launcherFailed || said.contains("Failed listening") || said.contains("aborting")) {
        throw new RedisStartException("embedded Redis (" + command.get(0) + ") did not start"
            + (launcherFailed ? ", exit status " + launcher.exitValue() : "") + ": " + lastLines(said) + ". " + WHAT_TO_DO);
      }
      sleep(20);
    }
    launcher.destroyForcibly();
    throw new RedisStartException("embedded Redis wrote no pid file within 10 s (see " + logFile + "). " + WHAT_TO_DO);
  }

  /** The live redis-server whose pid the file holds, if any. */
  private static Optional<ProcessHandle> running(Path pidFile) {
    try {
      return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty(); // not written yet, or half written
    }
  }

  private static String logSince(Path logFile, long offset) throws IOException {
    byte[] all = Files.readAllBytes(logFile);
    int from = (int) Math.min(offset, all.length);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  private static boolean awaitExit(ProcessHandle process, long seconds) {
    try {
      process.onExit().get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  /**
   * Watches the server: if it exits while the node runs (killed, out of memory), it is started again on the same data
   * directory, port and password, so every client's connection string stays good (they reconnect and resend). If it
   * cannot be started again, {@code onLost} is told, once.
   */
  public void watch(Runnable onLost) {
    ProcessHandle watched = process;
    watched.onExit().thenRun(() -> {
      if (closing) {
        return;
      }
      log.error("the embedded Redis (pid {}, port {}) exited; starting it again on {}", watched.pid(), port, dataDir);
      for (int attempt = 1; attempt <= 3 && !closing; attempt++) {
        try {
          process = spawn(command, dataDir, port);
          awaitReady(dataDir.resolve("redis.log"));
          log.warn("the embedded Redis is running again (pid {}, port {}) on the same data", process.pid(), port);
          watch(onLost);
          return;
        } catch (IOException | RuntimeException e) {
          process.destroyForcibly();
          log.warn("starting the embedded Redis again failed (attempt {} of 3): {}", attempt, e.getMessage());
          sleep(500L * attempt);
        }
      }
      if (!closing) {
        log.error("the embedded Redis could not be started again on {}; the node stops", dataDir);
        onLost.run();
      }
    });
  }

  /**
   * Waits until the server answers PONG: up to {@link #answerWithin} for a first answer, and as long as it answers
   * LOADING (reading its append-only file) up to {@link #LOADING_LIMIT}.
   */
  private void awaitReady(Path logFile) throws IOException {
    long started = System.nanoTime();
    boolean loading = false;
    do {
      if (!process.isAlive()) {
        String output = Files.readString(logFile);
        if (output.contains("Address already in use")) {
          throw new PortTakenException("port " + port + " was taken meanwhile");
        }
        throw new RedisStartException("embedded Redis (" + command.get(0) + ") exited: " + lastLines(output) + ". "
            + WHAT_TO_DO);
      }
      String answer = ping();
      if (answer.equals("PONG")) {
        return;
      }
      loading |= answer.equals("LOADING");
      sleep(20);
    } while (System.nanoTime() - started < (loading ? LOADING_LIMIT : answerWithin).toNanos());
    throw new RedisStartException(loading
        ? "embedded Redis was still loading its data on port " + port + " after " + LOADING_LIMIT.toMinutes() + " minutes"
        : "embedded Redis did not answer on port " + port + " within " + answerWithin.toMillis() / 1000.0 + " s. "
        + WHAT_TO_DO);
  }

  /** PONG; LOADING while it reads its append-only file; empty while it does not answer. */
  private String ping() {
    try {
      return String.valueOf(new RedisAdmin(port, password, 200, 500).command("PING"));
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("LOADING") ? "LOADING" : "";
    }
  }




  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by another node in this very JVM (tests)
    }
  }

  /** Our lock is held and the owner before us is gone: a Redis still running here was left by a killed node. */
  private static void stopOrphan(Path dir, Path given) throws IOException {
    Path pidFile = dir.resolve("redis.pid");
    Optional<ProcessHandle> orphan = Optional.empty();
    if (Files.exists(pidFile)) {
      try {
        orphan = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
            .filter(p -> p.info().command().map(c -> isRedisBinary(c) || runs(c, given)).orElse(false));
      } catch (NumberFormatException e) {
        log.warn("ignoring unreadable pid file {}", pidFile);
      }
    }
    orphan.ifPresent(p -> {
      log.warn("stopping the embedded Redis (pid {}) left running in {} by a node that was killed; its data is kept", p.pid(), dir);
      p.destroy();
      try {
        p.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    });
    Files.deleteIfExists(pidFile);
    Files.deleteIfExists(dir.resolve("redis.url"));
  }

  /** Whether a process's executable is the --redis-server file (whatever its name), once its links are followed. */
  private static boolean runs(String executable, Path given) {
    try {
      return given != null && Path.of(executable).equals(given.toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Whether a process's executable is a Redis server: the jar's, or one of the machine's ({@code --redis-server}),
   * whose file may carry another name (Debian's {@code redis-server} is a link to {@code redis-check-rdb}).
   */
  static boolean isRedisBinary(String executable) {
    Path name = Path.of(executable).getFileName();
    return name != null && name.toString().startsWith("redis-");
  }

  /**
   * The binary to run: the one in {@code binDir} if it is a regular file of ours whose SHA-256 is the jar's copy's,
   * otherwise the jar's copy extracted afresh (a changed, replaced or linked file is never run).
   */
  private static Path checkedBinary(Path binDir) throws IOException {
    String platform = platform()
        .orElseThrow(() -> new RedisStartException("no embedded Redis for " + System.getProperty("os.name") + "/"
            + System.getProperty("os.arch") + ". " + WHAT_TO_DO));
    // HWaaS's own build where the jar has one, else org.signal's: each keeps a name of its own in binDir.
    String name = "redis-server-" + VERSION + "-jemalloc-" + platform;
    byte[] shipped = resource("/redis/" + name);
    if (shipped == null) {
      name = "redis-server-" + VERSION + "-" + platform;
      shipped = resource("/" + name);
    }
    if (shipped == null) {
      throw new RedisStartException(name + " is missing from the jar. " + WHAT_TO_DO);
    }
    String expected = sha256(shipped);
    Path binary = binDir.resolve(name);
    if (PrivateFiles.isOurRegularFile(binary) && expected.equals(sha256(Files.readAllBytes(binary)))) {
      return binary;
    }
    if (Files.exists(binary, LinkOption.NOFOLLOW_LINKS)) {
      log.warn("the embedded Redis binary {} is not the one in the jar (changed, replaced or a link); extracting it again", binary);
    }
    // Written aside and moved into place, so a half-written binary never carries the final name.
    Path partial = Files.createTempFile(binDir, name, ".part", PrivateFiles.attribute(PrivateFiles.OWNER_ONLY_DIR));
    try {
      Files.write(partial, shipped);
      Files.move(partial, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
    if (!PrivateFiles.isOurRegularFile(binary) || !expected.equals(sha256(Files.readAllBytes(binary)))) {
      throw new RedisStartException("the embedded Redis binary " + binary + " changed while it was extracted; refusing to run it");
    }
    return binary;
  }

  /** The bytes of a resource of the jar, {@code null} if it has none of that name. */
  private static byte[] resource(String path) throws IOException {
    try (InputStream in = EmbeddedRedis.class.getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  /**
   * A server's process, started with the C locale: Redis compares strings in Lua (the console's listing) with the
   * locale's collation, and a listing merged in Java compares bytes; with the C locale both order ids alike, whatever
   * the user's LANG.
   */
  static ProcessBuilder withCLocale(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("LC_ALL", "C");
    return builder;
  }

  /** The data directory's password, made on first use and kept in its 0600 redis.conf. */
  private static String password(Path dataDir) throws IOException {
    Path config = dataDir.resolve(CONFIG);
    if (PrivateFiles.isOurRegularFile(config)) {
      for (String line : Files.readAllLines(config)) {
        if (line.startsWith("requirepass ")) {
          Files.setPosixFilePermissions(config, PrivateFiles.OWNER_ONLY_FILE);
          return line.substring("requirepass ".length()).trim();
        }
      }
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    PrivateFiles.writeSecret(config, "# Made by HWaaS for the embedded Redis of this data directory.\nrequirepass " + password + "\n");
    return password;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  static Optional<String> platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
    if (os.contains("linux")) {
      if (x64) return Optional.of("linux-amd64");
      if (arm64) return Optional.of("linux-arm64");
      if (arch.matches("x86|i[3-6]86")) return Optional.of("linux-386");
    } else if (os.contains("mac") || os.contains("darwin")) {
      if (x64) return Optional.of("darwin-amd64");
      if (arm64) return Optional.of("darwin-arm64");
    }
    return Optional.empty();
  }

  private static String lastLines(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      log.debug("closing the data directory lock", e);
    }
  }

  private static void release(FileLock lock, FileChannel channel) {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      log.debug("releasing the embedded Redis lock", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisStartException("interrupted while waiting for embedded Redis");
    }
  }

  /** Another live node owns the data directory: bad input (exit 2), not a runtime failure. */
  public static final class DataDirInUseException extends hwaas.support.ConfigException {
    DataDirInUseException(Path dir) {
      super("data directory " + dir + " is in use by another running node: give this node its own --data-dir, "
          + "or use that node's Redis with --redis (its URL is in " + dir.resolve("redis.url") + ")");
    }
  }

  private static final class PortTakenException extends IOException {
    PortTakenException(String message) {
      super(message);
    }
  }
}
