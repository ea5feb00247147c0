package hwaas.config;

import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;

import java.net.URI;
import java.nio.file.Path;
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
 * @param batchSize       stream entries a worker reads at once (an entry holds up to 1000 jobs)
 * @param blockTimeout    how long an idle worker's XREADGROUP waits before it looks again
 * @param submitTimeout   how long a client waits for the queue's reply before it retries
 * @param idempotencyTtl  how long a job id remembers its stream entry, making retries harmless
 * @param dataDir         where the embedded Redis keeps its append-only file
 * @param fsync           {@code everysec} or {@code always}: when the embedded Redis syncs its append-only file
 * @param visibilityTimeout how long an entry may stay unacknowledged on a silent consumer before another claims it
 * @param maxAttempts     deliveries of a job before it goes to the dead-letter stream
 * @param jobTimeout      how long a handler may run before its attempt counts as failed
 * @param retryBackoff    wait before the second attempt of a failed job; doubles with each attempt
 * @param audit           file that receives the id of every printed job ({@code null}: no audit)
 * @param maxSleep        the longest a sleep job may ask for
 * @param recordTtl       how long the status record of an API job is kept after its last change
 * @param token           bearer token every write request of the REST API must carry
 * @param join            join a running cluster and use its Redis instead of starting one
 * @param clusterKeystore PKCS#12 keystore that encrypts the event bus between nodes ({@code null}: plain TCP)
 * @param httpPort        {@link #AUTO_PORT}: 8080, or the next free port after it
 * @param eventBusPort    port of the event bus between nodes; 0 picks a free one
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
    Duration idempotencyTtl,
    Path dataDir,
    String fsync,
    Duration visibilityTimeout,
    int maxAttempts,
    Duration jobTimeout,
    Duration retryBackoff,
    Path audit,
    Duration maxSleep,
    Duration recordTtl,
    String token,
    boolean join,
    Path clusterKeystore,
    String clusterKeystorePassword,
    int eventBusPort) {

  public static final int MAX_MESSAGE_BYTES = 4096;
  /** HTTP port not given: 8080, or the next free one. */
  public static final int AUTO_PORT = -1;
  public static final int DEFAULT_HTTP_PORT = 8080;
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
    require(httpPort == AUTO_PORT || (httpPort >= 0 && httpPort <= 65535), "--http-port must be between 0 and 65535, got " + httpPort);
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
    require(positive(idempotencyTtl) && idempotencyTtl.toSeconds() >= 1, "--dedup-window must be at least 1 second");
    require(dataDir != null, "--data-dir must not be empty");
    require("everysec".equals(fsync) || "always".equals(fsync), "--fsync must be everysec or always, got '" + fsync + "'");
    require(positive(visibilityTimeout) && visibilityTimeout.toMillis() >= 100, "--visibility-timeout must be at least 0.1 seconds");
    require(maxAttempts >= 1 && maxAttempts <= 100, "--max-attempts must be between 1 and 100, got " + maxAttempts);
    require(positive(jobTimeout), "--job-timeout must be above 0 seconds");
    require(jobTimeout.compareTo(visibilityTimeout) < 0, "--job-timeout (" + jobTimeout.toMillis() / 1000.0
        + " s) must be shorter than --visibility-timeout (" + visibilityTimeout.toMillis() / 1000.0
        + " s), or a job still running would be claimed by another worker");
    require(positive(retryBackoff), "retry backoff must be above 0");
    require(positive(maxSleep) && maxSleep.toHours() <= 24, "--max-sleep must be above 0 and at most a day");
    require(positive(recordTtl) && recordTtl.toSeconds() >= 1, "--record-ttl must be at least 1 second");
    require(eventBusPort >= 0 && eventBusPort <= 65535, "--event-bus-port must be between 0 and 65535, got " + eventBusPort);
    require(clusterKeystore == null || java.nio.file.Files.isReadable(clusterKeystore),
        "--cluster-keystore " + clusterKeystore + " cannot be read");
    require(clusterKeystore == null || (clusterKeystorePassword != null && !clusterKeystorePassword.isEmpty()),
        "--cluster-keystore needs its password in HWAAS_CLUSTER_KEYSTORE_PASSWORD");
    require(token != null && token.length() >= 16 && token.chars().allMatch(c -> c > 32 && c < 127),
        "HWAAS_TOKEN must be at least 16 printable characters without spaces");
  }

  /** Defaults for everything but the two numbers the user always gives. */
  public static HwaasConfig defaults(int workers, int clients) {
    return new HwaasConfig(workers, clients, 1.0, "hello, world!", null, "127.0.0.1", AUTO_PORT, null, "info",
        "hwaas", "127.0.0.1", "127.0.0.1", "hwaas", 32, Duration.ofMillis(500), Duration.ofSeconds(5),
        Duration.ofSeconds(120), defaultDataDir(), "everysec", Duration.ofSeconds(5), 5, Duration.ofSeconds(3),
        Duration.ofMillis(500), null, Duration.ofSeconds(60), Duration.ofHours(1), randomToken(), false, null, null, 0);
  }

  /** 128 random bits in hex: what the API token is when HWAAS_TOKEN does not set one. */
  public static String randomToken() {
    byte[] bytes = new byte[16];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  /** {@code ~/.hwaas/data}: the same for every run, so a restarted node finds the work it left. */
  public static Path defaultDataDir() {
    return Path.of(System.getProperty("user.home"), ".hwaas", "data");
  }

  /** A copy with some fields changed; the rest stay as they are. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public Optional<URI> externalRedis() {
    return Optional.ofNullable(redisUrl);
  }

  public HwaasConfig withRedisUrl(URI url) {
    return toBuilder().redisUrl(url).build();
  }

  public HwaasConfig withSubmitTimeout(Duration timeout) {
    return toBuilder().submitTimeout(timeout).build();
  }

  /** The same record with the HTTP port actually chosen. */
  public HwaasConfig withHttpPort(int port) {
    return toBuilder().httpPort(port).build();
  }

  public Optional<Path> auditFile() {
    return Optional.ofNullable(audit);
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

  /** Changes a few fields of a checked configuration; {@link #build()} checks the result again. */
  public static final class Builder {
    private int workers;
    private int clients;
    private double rate;
    private String message;
    private URI redisUrl;
    private String httpHost;
    private int httpPort;
    private Duration duration;
    private String logLevel;
    private String clusterName;
    private String clusterHost;
    private String members;
    private String keyPrefix;
    private int batchSize;
    private Duration blockTimeout;
    private Duration submitTimeout;
    private Duration idempotencyTtl;
    private Path dataDir;
    private String fsync;
    private Duration visibilityTimeout;
    private int maxAttempts;
    private Duration jobTimeout;
    private Duration retryBackoff;
    private Path audit;
    private Duration maxSleep;
    private Duration recordTtl;
    private String token;
    private boolean join;
    private Path clusterKeystore;
    private String clusterKeystorePassword;
    private int eventBusPort;

    private Builder(HwaasConfig c) {
      workers = c.workers; clients = c.clients; rate = c.rate; message = c.message; redisUrl = c.redisUrl;
      httpHost = c.httpHost; httpPort = c.httpPort; duration = c.duration; logLevel = c.logLevel;
      clusterName = c.clusterName; clusterHost = c.clusterHost; members = c.members; keyPrefix = c.keyPrefix;
      batchSize = c.batchSize; blockTimeout = c.blockTimeout; submitTimeout = c.submitTimeout;
      idempotencyTtl = c.idempotencyTtl; dataDir = c.dataDir; fsync = c.fsync; visibilityTimeout = c.visibilityTimeout;
      maxAttempts = c.maxAttempts; jobTimeout = c.jobTimeout; retryBackoff = c.retryBackoff; audit = c.audit;
      maxSleep = c.maxSleep; recordTtl = c.recordTtl; token = c.token; join = c.join;
      clusterKeystore = c.clusterKeystore; clusterKeystorePassword = c.clusterKeystorePassword; eventBusPort = c.eventBusPort;
    }

    public Builder workers(int v) { workers = v; return this; }
    public Builder clients(int v) { clients = v; return this; }
    public Builder rate(double v) { rate = v; return this; }
    public Builder message(String v) { message = v; return this; }
    public Builder redisUrl(URI v) { redisUrl = v; return this; }
    public Builder httpHost(String v) { httpHost = v; return this; }
    public Builder httpPort(int v) { httpPort = v; return this; }
    public Builder duration(Duration v) { duration = v; return this; }
    public Builder logLevel(String v) { logLevel = v; return this; }
    public Builder clusterName(String v) { clusterName = v; return this; }
    public Builder clusterHost(String v) { clusterHost = v; return this; }
    public Builder members(String v) { members = v; return this; }
    public Builder keyPrefix(String v) { keyPrefix = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder blockTimeout(Duration v) { blockTimeout = v; return this; }
    public Builder submitTimeout(Duration v) { submitTimeout = v; return this; }
    public Builder idempotencyTtl(Duration v) { idempotencyTtl = v; return this; }
    public Builder dataDir(Path v) { dataDir = v; return this; }
    public Builder fsync(String v) { fsync = v; return this; }
    public Builder visibilityTimeout(Duration v) { visibilityTimeout = v; return this; }
    public Builder maxAttempts(int v) { maxAttempts = v; return this; }
    public Builder jobTimeout(Duration v) { jobTimeout = v; return this; }
    public Builder retryBackoff(Duration v) { retryBackoff = v; return this; }
    public Builder audit(Path v) { audit = v; return this; }
    public Builder maxSleep(Duration v) { maxSleep = v; return this; }
    public Builder recordTtl(Duration v) { recordTtl = v; return this; }
    public Builder token(String v) { token = v; return this; }
    public Builder join(boolean v) { join = v; return this; }
    public Builder eventBusPort(int v) { eventBusPort = v; return this; }
    public Builder clusterKeystore(Path v, String password) { clusterKeystore = v; clusterKeystorePassword = password; return this; }

    public HwaasConfig build() {
      return new HwaasConfig(workers, clients, rate, message, redisUrl, httpHost, httpPort, duration, logLevel,
          clusterName, clusterHost, members, keyPrefix, batchSize, blockTimeout, submitTimeout, idempotencyTtl,
          dataDir, fsync, visibilityTimeout, maxAttempts, jobTimeout, retryBackoff, audit, maxSleep, recordTtl, token,
          join, clusterKeystore, clusterKeystorePassword, eventBusPort);
    }
  }
}
