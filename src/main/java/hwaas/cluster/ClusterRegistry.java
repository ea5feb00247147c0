package hwaas.cluster;

import hwaas.support.ConfigException;
import hwaas.support.HostPorts;
import hwaas.support.TcpProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.net.URI;
import java.time.Duration;

/**
 * What the nodes of a cluster agree on, kept in a cluster-wide map: where the service's Redis is and which service
 * it holds. The node that starts first registers its Redis; nodes started with --join learn it from here. Nothing in
 * the map is a secret: the address carries no password, and a node that learns it checks the service id in Redis.
 */
public final class ClusterRegistry {
  private static final String MAP = "hwaas.cluster";
  private static final String REDIS = "redis";

  private ClusterRegistry() {
  }

  /**
   * What a node registers of its Redis.
   *
   * @param url     the Redis's address, without user or password
   * @param service the service id held in that Redis
   * @param dataDir the data directory of an embedded Redis ({@code null} for an external one): on the same machine,
   *                the same user can read the password there
   */
  public record Registration(URI url, String service, String node, String host, String dataDir) {
    public Registration {
      if (HostPorts.userInfo(url) != null) {
        throw new IllegalArgumentException("a Redis URL with a password must not go into the cluster registry");
      }
    }

    JsonObject toJson() {
      return new JsonObject().put("url", url.toString()).put("service", service).put("node", node).put("host", host)
          .put("dataDir", dataDir);
    }

    static Registration fromJson(JsonObject json) {
      return new Registration(URI.create(json.getString("url")), json.getString("service"), json.getString("node"),
          json.getString("host"), json.getString("dataDir"));
    }
  }

  /** The service's Redis, if a node registered one. */
  public static Future<Registration> redis(Vertx vertx) {
    return map(vertx).compose(map -> map.get(REDIS)).map(json -> json == null ? null : Registration.fromJson(json));
  }

  /**
   * Registers this node's Redis as the service's. Fails with a {@link ConfigException} if the cluster already runs
   * another service whose Redis still answers: two services would split the queue in two.
   */
  public static Future<Void> register(Vertx vertx, Registration ours, String clusterName) {
    return map(vertx).compose(map -> map.putIfAbsent(REDIS, ours.toJson()).compose(previousJson -> {
      if (previousJson == null) {
        return Future.succeededFuture();
      }
      Registration previous = Registration.fromJson(previousJson);
      if (ours.service().equals(previous.service())) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(() -> answers(previous.url())).compose(alive -> alive
          ? Future.failedFuture(new ConfigException("cluster '" + clusterName + "' already runs another service, on Redis "
              + previous.url() + " (registered by node " + previous.node() + " on " + previous.host()
              + "): add --join to give this node to that service, or --cluster-name for a separate one"))
          : map.replaceIfPresent(REDIS, previousJson, ours.toJson()).mapEmpty());
    }));
  }

  /** Removes the registration if it is this node's (its embedded Redis stops with it). */
  public static Future<Void> unregister(Vertx vertx, String nodeId) {
    return map(vertx).compose(map -> map.get(REDIS).compose(current -> current != null && nodeId.equals(current.getString("node"))
        ? map.removeIfPresent(REDIS, current).mapEmpty()
        : Future.succeededFuture()));
  }

  /** Waits up to {@code wait} for a node of the cluster to register its Redis. */
  public static Future<Registration> learn(Vertx vertx, Duration wait) {
    long deadline = System.currentTimeMillis() + wait.toMillis();
    return redis(vertx).compose(found -> {
      if (found != null || System.currentTimeMillis() > deadline) {
        return Future.succeededFuture(found);
      }
      return vertx.timer(200).compose(t -> learn(vertx, Duration.ofMillis(deadline - System.currentTimeMillis())));
    });
  }

  private static Future<AsyncMap<String, JsonObject>> map(Vertx vertx) {
    return vertx.sharedData().getClusterWideMap(MAP);
  }

  /** Any of its addresses answering (a Redis behind sentinels has several). */
  private static boolean answers(URI redis) {
    return HostPorts.of(redis, 6379).stream().anyMatch(a -> TcpProbe.connect(a.host(), a.port(), 1000).isEmpty());
  }
}
