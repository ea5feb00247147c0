package hwaas.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real redis-server (7.0.15, shipped inside the org.signal:embedded-redis jar) run as a child process
 * on a free loopback port. Each instance lives in {@code <runtime dir>/redis-<port>/} and is owned through
 * a file lock: an instance whose lock is free belongs to a node that died (kill -9), and the next start
 * stops it and removes its directory.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
  private static final String VERSION = "7.0.15";
  private static final String WHAT_TO_DO =
      "Start a Redis 6.2+ yourself and pass --redis redis://127.0.0.1:6379 (or set HWAAS_REDIS).";

  private final Process process;
  private final int port;
  private final Path instanceDir;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private EmbeddedRedis(Process process, int port, Path instanceDir, FileChannel lockChannel, FileLock lock) {
    this.process = process;
    this.port = port;
    this.instanceDir = instanceDir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** The default place for binaries and instances: {@code <tmp>/hwaas-<user>}. */
  public static Path defaultRuntimeDir() {
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
    return Path.of(System.getProperty("java.io.tmpdir"), "hwaas-" + user);
  }

  public static EmbeddedRedis start(Path runtimeDir) {
    try {
      Files.createDirectories(runtimeDir);
      stopOrphans(runtimeDir);
      Path binary = extractBinary(runtimeDir.resolve("bin"));
      RedisStartException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        try {
          return launch(binary, runtimeDir, freePort());
        } catch (PortTakenException e) {
          last = new RedisStartException("embedded Redis could not bind a port: " + e.getMessage() + ". " + WHAT_TO_DO);
        }
      }
      throw last;
    } catch (IOException e) {
      throw new RedisStartException("embedded Redis could not start: " + e + ". " + WHAT_TO_DO, e);
    }
  }

  public URI url() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  public long pid() {
    return process.pid();
  }

  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and removes its directory. Safe to call twice. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
        }
      }
      deleteTree(instanceDir);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("embedded Redis on port {}: could not remove {}", port, instanceDir, e);
    } finally {
      release(lock, lockChannel);
    }
  }

  private static EmbeddedRedis launch(Path binary, Path runtimeDir, int port) throws IOException {
    Path dir = runtimeDir.resolve("redis-" + port);
    Files.createDirectories(dir);
    FileChannel channel = FileChannel.open(dir.resolve("owner.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = channel.tryLock();
    if (lock == null) {
      channel.close();
      throw new PortTakenException("port " + port + " is owned by another node");
    }
    Path logFile = dir.resolve("redis.log");
    Process process = new ProcessBuilder(binary.toString(),
        "--port", Integer.toString(port), "--bind", "127.0.0.1", "--daemonize", "no",
        "--dir", dir.toString(), "--pidfile", dir.resolve("redis.pid").toString(),
        "--save", "", "--appendonly", "no")
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile())
        .start();
    EmbeddedRedis redis = new EmbeddedRedis(process, port, dir, channel, lock);
    try {
      redis.awaitReady(logFile);
      return redis;
    } catch (IOException | RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  private void awaitReady(Path logFile) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String output = Files.readString(logFile);
        if (output.contains("Address already in use")) {
          throw new PortTakenException("port " + port + " was taken meanwhile");
        }
        throw new RedisStartException("embedded Redis (" + process.info().command().orElse("redis-server")
            + ") exited with status " + process.exitValue() + ": " + lastLines(output) + ". " + WHAT_TO_DO);
      }
      if (answersPing(port)) {
        return;
      }
      sleep(20);
    }
    throw new RedisStartException("embedded Redis did not answer on port " + port + " within 10 s. " + WHAT_TO_DO);
  }

  private static boolean answersPing(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
      return "+PONG".equals(reply);
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops servers left behind by nodes that were killed: their directory's lock is free. */
  private static void stopOrphans(Path runtimeDir) throws IOException {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runtimeDir, "redis-*")) {
      for (Path dir : dirs) {
        try (FileChannel channel = FileChannel.open(dir.resolve("owner.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          FileLock lock = channel.tryLock();
          if (lock == null) {
            continue; // a live node owns it
          }
          stopOrphan(dir);
          lock.release();
        } catch (OverlappingFileLockException e) {
          // owned by a node in this very JVM (tests)
        } catch (IOException e) {
          log.warn("could not inspect {} for an orphaned embedded Redis", dir, e);
        }
      }
    }
  }

  private static void stopOrphan(Path dir) throws IOException {
    Path pidFile = dir.resolve("redis.pid");
    Optional<ProcessHandle> orphan = Optional.empty();
    if (Files.exists(pidFile)) {
      try {
        orphan = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
            .filter(p -> p.info().command().map(c -> c.contains("redis-server")).orElse(false));
      } catch (NumberFormatException e) {
        log.warn("ignoring unreadable pid file {}", pidFile);
      }
    }
    orphan.ifPresent(p -> {
      log.warn("stopping embedded Redis (pid {}) left running by a node that was killed; its data is dropped", p.pid());
      p.destroy();
      try {
        p.onExit().get(3, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    });
    deleteTree(dir);
  }

  private static Path extractBinary(Path binDir) throws IOException {
    String name = "redis-server-" + VERSION + "-" + platform()
        .orElseThrow(() -> new RedisStartException("no embedded Redis for " + System.getProperty("os.name") + "/"
            + System.getProperty("os.arch") + ". " + WHAT_TO_DO));
    Path binary = binDir.resolve(name);
    if (Files.isExecutable(binary)) {
      return binary;
    }
    Files.createDirectories(binDir);
    try (InputStream in = EmbeddedRedis.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new RedisStartException(name + " is missing from the jar. " + WHAT_TO_DO);
      }
      // Written aside and moved into place, so a half-written binary never carries the final name.
      Path partial = Files.createTempFile(binDir, name, ".part");
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      if (!partial.toFile().setExecutable(true, true)) {
        throw new IOException("cannot make " + partial + " executable");
      }
      Files.move(partial, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return binary;
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  private static String lastLines(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        // The lock file stays while its lock is held; the owner removes it last.
        Files.deleteIfExists(p);
      }
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

  private static final class PortTakenException extends IOException {
    PortTakenException(String message) {
      super(message);
    }
  }
}
