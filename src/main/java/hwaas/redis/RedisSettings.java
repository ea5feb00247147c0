package hwaas.redis;

import hwaas.support.HostPorts;
import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import static hwaas.support.Check.require;

/**
 * Where the service's Redis is, or where the embedded one keeps its data. The password is a secret: it goes to the
 * Redis client only; everything shown ({@link #redacted()}, {@link #toString()}) has it replaced by {@code ***}.
 *
 * @param url      an existing Redis to use; {@code null} until known (the embedded one, or the cluster's on --join)
 * @param dataDir  where the embedded Redis keeps its append-only file
 * @param fsync    {@code everysec} or {@code always}: when the embedded Redis syncs its append-only file
 * @param password       for a URL without one (from --redis-password-file); {@code null}: none
 * @param maxMemory      the embedded Redis's memory limit (Redis's size syntax: {@code 512mb}, {@code 2gb})
 * @param allowEviction  accept an external Redis whose maxmemory-policy evicts keys (jobs could vanish)
 * @param server         a redis-server of the machine's to run as the embedded Redis instead of the jar's
 *                       ({@code --redis-server}; checked where it is started, {@link EmbeddedRedis}); {@code null}:
 *                       the jar's
 */
public record RedisSettings(URI url, Path dataDir, String fsync, String password, String maxMemory, boolean allowEviction,
                            Path server) {
  public static final String DEFAULT_MAX_MEMORY = "1gb";
  /** The forms --redis takes, for every message that names them. */
  public static final String URL_FORMS = "redis://[:password@]host:port[/db], "
      + "redis-sentinel://[:password@]host:port[,host:port...]/MASTER_NAME or redis-cluster://[:password@]host:port[,host:port...]";

  public RedisSettings {
    if (url != null) {
      String scheme = url.getScheme();
      if (SentinelAddress.isSentinel(url)) {
        SentinelAddress.parse(url);
      } else if (ClusterAddress.isCluster(url)) {
        ClusterAddress.parse(url);
      } else {
        require(("redis".equals(scheme) || "rediss".equals(scheme)) && url.getHost() != null,
            "--redis must look like " + URL_FORMS + ", got '" + redact(url) + "'");
      }
    }
    require(dataDir != null, "--data-dir must not be empty");
    require("everysec".equals(fsync) || "always".equals(fsync), "--fsync must be everysec or always, got '" + fsync + "'");
    require(password == null || (!password.isEmpty() && password.chars().noneMatch(c -> c < 33 || c == 127)),
        "the Redis password must be one word of printable characters");
    require(maxMemory != null && maxMemory.toLowerCase(java.util.Locale.ROOT).matches("[1-9][0-9]*(kb|mb|gb)?"),
        "--redis-maxmemory must be a size such as 512mb or 2gb, got '" + maxMemory + "'");
  }

  public static RedisSettings defaults() {
    return new RedisSettings(null, defaultDataDir(), "everysec", null, DEFAULT_MAX_MEMORY, false, null);
  }

  /** {@code ~/.hwaas/data}: the same for every run, so a restarted node finds the work it left. */
  public static Path defaultDataDir() {
    return Path.of(System.getProperty("user.home"), ".hwaas", "data");
  }

  public Optional<URI> external() {
    return Optional.ofNullable(url);
  }

  public RedisSettings withUrl(URI url) {
    return new RedisSettings(url, dataDir, fsync, password, maxMemory, allowEviction, server);
  }

  /** The URL the client uses: the given one, with the password from the file when the URL has none. */
  public URI clientUrl() {
    if (url == null || password == null || HostPorts.userInfo(url) != null) {
      return url;
    }
    return URI.create(url.getScheme() + "://:" + password + "@" + url.getRawAuthority() + (url.getRawPath() == null ? "" : url.getRawPath()));
  }

  /** The URL as it may be shown, in a banner, a log, an error or an API answer: no password. */
  public String redacted() {
    return redact(url);
  }

  /** The URL without any user or password: what the cluster may be told of a Redis. */
  public static URI withoutPassword(URI url) {
    if (SentinelAddress.isSentinel(url)) {
      return SentinelAddress.parse(url).withoutPassword();
    }
    if (ClusterAddress.isCluster(url)) {
      return ClusterAddress.parse(url).withoutPassword();
    }
    return URI.create(url.getScheme() + "://" + url.getHost() + ":" + url.getPort() + (url.getRawPath() == null ? "" : url.getRawPath()));
  }

  /** {@code redis://:***@host:port/db}: the password of any Redis URL replaced by {@code ***}. */
  public static String redact(URI url) {
    if (url == null) {
      return "(not known yet)";
    }
    String userInfo = HostPorts.userInfo(url);
    if (userInfo == null) {
      return url.toString();
    }
    int colon = userInfo.indexOf(':');
    String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
    String text = url.toString();
    return text.replaceFirst(java.util.regex.Pattern.quote(userInfo + "@"), java.util.regex.Matcher.quoteReplacement(shown + "@"));
  }

  @Override
  public String toString() {
    return "RedisSettings[url=" + redacted() + ", dataDir=" + dataDir + ", fsync=" + fsync
        + ", password=" + (password == null ? "none" : "***") + ", maxMemory=" + maxMemory + ", allowEviction=" + allowEviction + "]";
  }

  /**
   * Options for one node of this Redis Cluster, with the cluster's password: a plain connection to a primary the
   * cluster named ({@link SlotPrimary}).
   */
  public RedisOptions nodeOptions(String host, int port) {
    String password = ClusterAddress.parse(clientUrl()).password();
    return baseOptions().setConnectionString("redis://" + (password == null ? "" : ":" + password + "@") + host + ":" + port);
  }

  private static RedisOptions baseOptions() {
    return new RedisOptions()
        // RESP2 gives the same reply shapes on every Redis version (RESP3 turns XREADGROUP into a map).
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        .setMaxPoolSize(8)
        .setMaxPoolWaiting(4096)
        .setMaxWaitingHandlers(16_384);
  }

  /** A long-lived client of this Redis: behind sentinels, one that asks them in the order that knows best ({@link RedisClients}). */
  public Redis client(Vertx vertx) {
    return RedisClients.create(vertx, options());
  }

  /** The sentinels, when this Redis is found through them. */
  public Optional<SentinelAddress> sentinels() {
    return url != null && SentinelAddress.isSentinel(url) ? Optional.of(SentinelAddress.parse(clientUrl())) : Optional.empty();
  }

  /** Fresh options each call: Vert.x option objects are mutable. */
  public RedisOptions options() {
    if (url == null) {
      throw new IllegalStateException("Redis address is not known yet");
    }
    RedisOptions options = baseOptions();
    // Behind sentinels, every client (pooled or dedicated connections) finds the primary through them; on a cluster,
    // each command goes to the primary of its key's slot.
    if (SentinelAddress.isSentinel(url)) {
      return SentinelAddress.parse(clientUrl()).options(options);
    }
    return ClusterAddress.isCluster(url) ? ClusterAddress.parse(clientUrl()).options(options)
        : options.setConnectionString(clientUrl().toString());
  }
}
