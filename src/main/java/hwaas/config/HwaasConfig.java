package hwaas.config;

import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything a node needs to know, checked once and passed down. Values known only at run time
 * (the embedded Redis address) produce a new record through the {@code with...} methods.
 *
 * @param redisUrl        an existing Redis to use; {@code null} starts the embedded one
 * @param httpPort        0 picks a free port
 * @param duration        run this long and stop; {@code null} runs until a signal
 * @param batchSize       stream entries a worker reads (and acknowledges) at once
 * @param blockTimeout    how long an idle worker's XREADGROUP waits before it looks again
 * @param submitTimeout   how long a client waits for the queue's reply before it retries
 * @param idempotencyTtl  how long a job id remembers its stream entry, making retries harmless
 */
public record HwaasConfig(
    int workers,
    int clients,
    double rate,
    String message,
    URI redisUrl,
    String httpHost,
    int httpPort,
    Duration duration,
    String logLevel,
    String clusterName,
    String clusterHost,
    String members,
    String keyPrefix,
    int batchSize,
    Duration blockTimeout,
    Duration submitTimeout,
    Duration idempotencyTtl) {

  public static final int MAX_MESSAGE_BYTES = 4096;
  private static final java.util.Set<String> LOG_LEVELS = java.util.Set.of("error", "warn", "info", "debug", "trace");

  public HwaasConfig {
    require(workers >= 0, "WORKERS must be 0 or more, got " + workers);
    require(clients >= 0, "CLIENTS must be 0 or more, got " + clients);
    require(rate > 0 && rate <= 1_000_000 && Double.isFinite(rate), "--rate must be above 0 and at most 1000000 per second, got " + rate);
    require(message != null && !message.isEmpty(), "--message must not be empty");
    require(message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_MESSAGE_BYTES,
        "--message must be at most " + MAX_MESSAGE_BYTES + " bytes");
    require(message.indexOf('\n') < 0 && message.indexOf('\r') < 0, "--message must be one line (no newline)");
    if (redisUrl != null) {
      String scheme = redisUrl.getScheme();
      require(("redis".equals(scheme) || "rediss".equals(scheme)) && redisUrl.getHost() != null,
          "--redis must look like redis://host:port, got '" + redisUrl + "'");
    }
    require(httpPort >= 0 && httpPort <= 65535, "--http-port must be between 0 and 65535, got " + httpPort);
    require(httpHost != null && !httpHost.isBlank(), "--http-host must not be empty");
    require(duration == null || (!duration.isNegative() && !duration.isZero()), "--duration must be above 0 seconds");
    logLevel = logLevel == null ? "info" : logLevel.toLowerCase(Locale.ROOT);
    require(LOG_LEVELS.contains(logLevel), "--log-level must be one of error, warn, info, debug, trace, got '" + logLevel + "'");
    require(clusterName != null && clusterName.matches("[A-Za-z0-9_.-]{1,64}"),
        "--cluster-name must be 1 to 64 letters, digits, '.', '_' or '-', got '" + clusterName + "'");
    require(clusterHost != null && !clusterHost.isBlank(), "--cluster-host must not be empty");
    require(members != null && !members.isBlank(), "--members must not be empty");
    require(keyPrefix != null && keyPrefix.matches("[A-Za-z0-9_.:-]{1,64}"), "key prefix must be 1 to 64 plain characters");
    require(batchSize >= 1 && batchSize <= 10_000, "--batch must be between 1 and 10000, got " + batchSize);
    require(positive(blockTimeout), "block timeout must be above 0");
    require(positive(submitTimeout), "submit timeout must be above 0");
    require(positive(idempotencyTtl) && idempotencyTtl.toSeconds() >= 1, "idempotency TTL must be at least 1 second");
  }

  /** Defaults for everything but the two numbers the user always gives. */
  public static HwaasConfig defaults(int workers, int clients) {
    return new HwaasConfig(workers, clients, 1.0, "hello, world!", null, "127.0.0.1", 8080, null, "info",
        "hwaas", "127.0.0.1", "127.0.0.1", "hwaas", 256, Duration.ofMillis(500), Duration.ofSeconds(5),
        Duration.ofHours(1));
  }

  public Optional<URI> externalRedis() {
    return Optional.ofNullable(redisUrl);
  }

  public HwaasConfig withRedisUrl(URI url) {
    return new HwaasConfig(workers, clients, rate, message, url, httpHost, httpPort, duration, logLevel, clusterName,
        clusterHost, members, keyPrefix, batchSize, blockTimeout, submitTimeout, idempotencyTtl);
  }

  public HwaasConfig withKeyPrefix(String prefix) {
    return new HwaasConfig(workers, clients, rate, message, redisUrl, httpHost, httpPort, duration, logLevel, clusterName,
        clusterHost, members, prefix, batchSize, blockTimeout, submitTimeout, idempotencyTtl);
  }

  public HwaasConfig withClusterName(String name) {
    return new HwaasConfig(workers, clients, rate, message, redisUrl, httpHost, httpPort, duration, logLevel, name,
        clusterHost, members, keyPrefix, batchSize, blockTimeout, submitTimeout, idempotencyTtl);
  }

  public HwaasConfig withSubmitTimeout(Duration timeout) {
    return new HwaasConfig(workers, clients, rate, message, redisUrl, httpHost, httpPort, duration, logLevel, clusterName,
        clusterHost, members, keyPrefix, batchSize, blockTimeout, timeout, idempotencyTtl);
  }

  /** Fresh options each call: Vert.x option objects are mutable. */
  public RedisOptions redisOptions() {
    if (redisUrl == null) {
      throw new IllegalStateException("Redis address is not known yet");
    }
    return new RedisOptions()
        .setConnectionString(redisUrl.toString())
        // RESP2 gives the same reply shapes on every Redis version (RESP3 turns XREADGROUP into a map).
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        .setMaxPoolSize(8)
        .setMaxPoolWaiting(4096)
        .setMaxWaitingHandlers(16_384);
  }

  private static boolean positive(Duration d) {
    return d != null && !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String error) {
    if (!ok) {
      throw new ConfigException(error);
    }
  }
}
