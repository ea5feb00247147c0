package hwaas.cluster;

import io.vertx.core.json.JsonObject;

/** What a node tells the cluster about itself when it joins (carried by Vert.x in its node info). */
public final class NodeMetadata {
  private NodeMetadata() {
  }

  /**
   * @param host the cluster host this node advertises
   * @param http the URL of this node's HTTP server
   */
  public static JsonObject of(String nodeId, String host, int workers, int clients, double rate, String http,
                              boolean ownsRedis) {
    return new JsonObject()
        .put("id", nodeId)
        .put("host", host)
        .put("workers", workers)
        .put("clients", clients)
        .put("rate", rate)
        .put("http", http)
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
