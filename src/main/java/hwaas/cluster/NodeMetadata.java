package hwaas.cluster;

import hwaas.config.HwaasConfig;
import io.vertx.core.json.JsonObject;

/** What a node tells the cluster about itself when it joins (carried by Vert.x in its node info). */
public final class NodeMetadata {
  private NodeMetadata() {
  }

  public static JsonObject of(String nodeId, HwaasConfig config, boolean ownsRedis) {
    return new JsonObject()
        .put("id", nodeId)
        .put("host", config.clusterHost())
        .put("workers", config.workers())
        .put("clients", config.clients())
        .put("rate", config.rate())
        .put("http", "http://" + config.httpHost() + ":" + config.httpPort() + "/")
        .put("redisOwner", ownsRedis)
        .put("startedAt", System.currentTimeMillis());
  }

  /** A member as the API shows it: its metadata, its event-bus address, and its uptime. */
  static JsonObject describe(JsonObject metadata, String eventBusHost, int eventBusPort) {
    JsonObject node = metadata == null ? new JsonObject() : metadata.copy();
    long startedAt = node.getLong("startedAt", System.currentTimeMillis());
    return node.put("eventBus", eventBusHost + ":" + eventBusPort)
        .put("uptimeSeconds", (System.currentTimeMillis() - startedAt) / 1000);
  }
}
