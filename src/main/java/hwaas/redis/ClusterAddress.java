package hwaas.redis;

import hwaas.support.ConfigException;
import hwaas.support.HostPorts;
import hwaas.support.HostPorts.HostPort;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Redis Cluster: {@code redis-cluster://[:password@]host:port[,host:port...]}, any of its nodes (the client learns
 * the others and the slots from them). Every key of the service lives under one hash tag for now (the key prefix in
 * braces, {@code {hwaas}:...}), so the whole service sits on the primary of one slot: it runs on a Redis Cluster, and
 * docs/redis-cluster.md plans the partitions that will spread it over the shards. The password is every node's.
 */
public record ClusterAddress(List<HostPort> nodes, String password) {
  public static final String SCHEME = "redis-cluster";
  static final int DEFAULT_PORT = 6379;

  public static boolean isCluster(URI url) {
    return url != null && SCHEME.equals(url.getScheme());
  }

  /** @throws ConfigException when the URL names no node */
  public static ClusterAddress parse(URI url) {
    List<HostPort> nodes = HostPorts.of(url, DEFAULT_PORT);
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    if (nodes.isEmpty() || !(path.isEmpty() || path.equals("/"))) {
      throw new ConfigException("--redis must look like redis-cluster://[:password@]host:port[,host:port...], got '"
          + RedisSettings.redact(url) + "'");
    }
    return new ClusterAddress(nodes, HostPorts.password(url));
  }

  /** The same address as the cluster of nodes may be told of it: no password. */
  public URI withoutPassword() {
    return URI.create(SCHEME + "://" + String.join(",", nodes.stream().map(HostPort::toString).toList()));
  }

  RedisOptions options(RedisOptions base) {
    String auth = password == null ? "" : ":" + password + "@";
    return base.setType(RedisClientType.CLUSTER)
        .setEndpoints(nodes.stream().map(n -> "redis://" + auth + n).collect(Collectors.toList()))
        // Reads from primaries only: a replica may lag behind a job's record that was just written.
        .setUseReplicas(RedisReplicas.NEVER);
  }

  @Override
  public String toString() {
    return withoutPassword().toString();
  }
}
