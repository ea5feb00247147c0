package hwaas.redis;

import hwaas.support.ConfigException;
import hwaas.support.HostPorts;
import hwaas.support.HostPorts.HostPort;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;

import java.net.URI;
import java.util.List;

/**
 * A Redis found through its sentinels: {@code redis-sentinel://[:password@]host:port[,host:port...]/MASTER_NAME}. The
 * client asks the sentinels where the primary is on every new connection and, with auto-failover, closes the
 * connections to a primary the sentinels replaced, so pooled clients and dedicated (blocking) connections alike
 * follow a failover by reconnecting. The password is both the sentinels' and the primary's.
 */
public record SentinelAddress(List<HostPort> sentinels, String masterName, String password) {
  public static final String SCHEME = "redis-sentinel";
  static final int DEFAULT_PORT = 26379;

  public static boolean isSentinel(URI url) {
    return url != null && SCHEME.equals(url.getScheme());
  }

  /** @throws ConfigException when the URL names no sentinel or no master */
  public static SentinelAddress parse(URI url) {
    List<HostPort> sentinels = HostPorts.of(url, DEFAULT_PORT);
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    String master = path.startsWith("/") ? path.substring(1) : path;
    if (sentinels.isEmpty() || !master.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException("--redis must look like redis-sentinel://[:password@]host:port[,host:port...]/MASTER_NAME, got '"
          + RedisSettings.redact(url) + "'");
    }
    return new SentinelAddress(sentinels, master, HostPorts.password(url));
  }

  /** The same address as the cluster may be told of it: no password. */
  public URI withoutPassword() {
    return URI.create(SCHEME + "://" + String.join(",", sentinels.stream().map(HostPort::toString).toList()) + "/" + masterName);
  }

  /** Each sentinel's connection string, with the password. */
  List<String> endpoints() {
    String auth = password == null ? "" : ":" + password + "@";
    return sentinels.stream().map(s -> "redis://" + auth + s).toList();
  }

  RedisOptions options(RedisOptions base) {
    return base.setType(RedisClientType.SENTINEL)
        .setEndpoints(new java.util.ArrayList<>(endpoints()))
        .setMasterName(masterName)
        .setRole(RedisRole.MASTER)
        .setAutoFailover(true);
  }

  @Override
  public String toString() {
    return withoutPassword().toString();
  }
}
