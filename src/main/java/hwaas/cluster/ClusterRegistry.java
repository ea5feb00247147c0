package hwaas.cluster;

import hwaas.support.TcpProbe;

import hwaas.support.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.net.URI;
import java.time.Duration;

/**
 * What the nodes of a cluster agree on, kept in a cluster-wide map: the Redis the service uses. The node
 * that starts first registers its Redis; nodes started with --join learn it from here.
 */
public final class ClusterRegistry {
  private static final String MAP = "hwaas.cluster";
  private static final String REDIS = "redis";

  private ClusterRegistry() {
  }

  /** The service's Redis as {url, node, host}, if a node registered one. */
  public static Future<JsonObject> redis(Vertx vertx) {
    return map(vertx).compose(map -> map.get(REDIS));
  }

  /**
   * Registers this node's Redis as the service's. Fails with a {@link ConfigException} if the cluster already
   * runs on another Redis that still answers: two Redis servers would split the queue in two.
   */
  public static Future<Void> register(Vertx vertx, URI redis, String nodeId, String host, String clusterName) {
    JsonObject ours = new JsonObject().put("url", redis.toString()).put("node", nodeId).put("host", host);
    return map(vertx).compose(map -> map.putIfAbsent(REDIS, ours).compose(previous -> {
      if (previous == null || previous.getString("url").equals(ours.getString("url"))) {
        return Future.succeededFuture();
      }
      URI theirs = URI.create(previous.getString("url"));
      return vertx.executeBlocking(() -> answers(theirs)).compose(alive -> alive
          ? Future.failedFuture(new ConfigException("cluster '" + clusterName + "' already runs on Redis " + theirs
              + " (registered by node " + previous.getString("node") + " on " + previous.getString("host")
              + "): add --join to give this node to that service, or --cluster-name for a separate one"))
          : map.replaceIfPresent(REDIS, previous, ours).mapEmpty());
    }));
  }

  /** Removes the registration if it is this node's (its embedded Redis stops with it). */
  public static Future<Void> unregister(Vertx vertx, String nodeId) {
    return map(vertx).compose(map -> map.get(REDIS).compose(current -> current != null && nodeId.equals(current.getString("node"))
        ? map.removeIfPresent(REDIS, current).mapEmpty()
        : Future.succeededFuture()));
  }

  /** Waits up to {@code wait} for a node of the cluster to register its Redis. */
  public static Future<JsonObject> learn(Vertx vertx, Duration wait) {
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

  private static boolean answers(URI redis) {
    return TcpProbe.connect(redis.getHost(), redis.getPort(), 1000).isEmpty();
  }
}
