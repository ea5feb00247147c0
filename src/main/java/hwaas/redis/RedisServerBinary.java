package hwaas.redis;

import hwaas.support.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A redis-server of the machine's ({@code --redis-server}), run for the embedded Redis instead of the jar's. The
 * jar's binary is a static build with the C library's allocator; a distribution's build (jemalloc) runs most of
 * HWaaS's Lua scripts up to twice as fast (README, "Performance"). It is checked before anything is started: an
 * executable file that says it is a redis-server of at least {@value #MIN_MAJOR}.0 (the scripts declare flags, a 7.0
 * feature).
 */
final class RedisServerBinary {
  static final int MIN_MAJOR = 7;
  private static final Pattern VERSION = Pattern.compile("Redis server v=(\\d+)\\.(\\d+)\\.(\\d+)");
  private static final long ANSWER_SECONDS = 5;

  private RedisServerBinary() {
  }

  /** The given binary, absolute, once it has shown itself a redis-server 7.0 or newer; else a {@link ConfigException}. */
  static Path checked(Path given) {
    Path binary = given.toAbsolutePath();
    if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
      throw refused(given, "not an executable file");
    }
    String said = version(given, binary);
    Matcher m = VERSION.matcher(said);
    if (!m.find()) {
      throw refused(given, "not a redis-server (its --version printed '" + firstLine(said) + "')");
    }
    if (Integer.parseInt(m.group(1)) < MIN_MAJOR) {
      throw refused(given, "Redis " + m.group(1) + "." + m.group(2) + "." + m.group(3) + " is too old");
    }
    return binary;
  }

  private static String version(Path given, Path binary) {
    try {
      Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      try (InputStream output = process.getInputStream()) {
        process.getOutputStream().close();
        if (!process.waitFor(ANSWER_SECONDS, TimeUnit.SECONDS)) {
          throw refused(given, "its --version did not answer within " + ANSWER_SECONDS + " s");
        }
        // What it printed is in the pipe by now; only that, and at most a few KiB (a redis-server prints one line),
        // so that a child it left holding the pipe cannot hold this read.
        return new String(output.readNBytes(Math.min(4096, output.available())), StandardCharsets.UTF_8);
      } finally {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      throw refused(given, "it cannot be run (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw refused(given, "interrupted while it printed its version");
    }
  }

  /** The first line of what the program printed, short and without control characters (it goes to a terminal). */
  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("").replaceAll("\\p{Cntrl}", "?");
    return line.length() > 120 ? line.substring(0, 120) + "..." : line;
  }

  private static ConfigException refused(Path given, String why) {
    return new ConfigException("--redis-server " + given + ": " + why + ". Give a redis-server " + MIN_MAJOR
        + ".0 or newer (e.g. /usr/bin/redis-server), or leave the option out to run the one in the jar.");
  }
}
