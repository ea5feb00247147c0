package hwaas.redis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the local Redis set-ups ({@link LocalSentinels}, {@link LocalRedisCluster}) share: a server process from the
 * embedded binary with the embedded Redis's durability, its password in a 0600 file, the wait for its first answer,
 * and the stop. Blocking: never call it from an event loop.
 */
final class LocalServers {
  private LocalServers() {
  }

  /**
   * The command of a server on {@code port} that keeps its data as the embedded Redis does (an append-only file synced
   * every second, bounded memory, no eviction), with {@code extra} flags; its password goes in a 0600 file, never on
   * a command line (ps shows those).
   */
  static List<String> serverCommand(Path binary, Path dir, int port, String password, List<String> extra) throws IOException {
    Path config = dir.resolve("redis-" + port + ".conf");
    PrivateFiles.writeSecret(config, "requirepass " + password + "\nmasterauth " + password + "\n");
    List<String> command = new ArrayList<>(List.of(binary.toString(), config.toAbsolutePath().toString(),
        "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toAbsolutePath().toString(), "--dbfilename", "dump-" + port + ".rdb", "--save", "",
        "--appendonly", "yes", "--appendfsync", "everysec", "--appenddirname", "aof-" + port,
        "--maxmemory", RedisSettings.DEFAULT_MAX_MEMORY, "--maxmemory-policy", "noeviction",
        "--logfile", dir.resolve("redis-" + port + ".log").toAbsolutePath().toString()));
    command.addAll(extra);
    return command;
  }

  /** Starts the command, its output appended to {@code <dir>/<name>.out}. */
  static Process launch(Path dir, List<String> command, String name) throws IOException {
    return EmbeddedRedis.withCLocale(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile())).start();
  }

  /** Until the server (or sentinel) on {@code port} answers PING, at most 10 s. */
  static void awaitPing(int port, String password, Path dir) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try {
        if ("PONG".equals(new RedisAdmin(port, password, 1_000, 2_000).command("PING"))) {
          return;
        }
      } catch (IOException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IOException("nothing answered on port " + port + " within 10 s (see " + dir + "): " + e.getMessage(), e);
        }
      }
      Thread.sleep(50);
    }
  }

  /** SIGTERM to each, in order, then SIGKILL to one that has not exited within 5 s. */
  static void stop(Collection<Process> processes) {
    for (Process process : processes) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
