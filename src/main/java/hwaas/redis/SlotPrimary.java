package hwaas.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connections to the primary that serves one hash slot of a Redis Cluster, each found anew in the cluster's slot map
 * ({@code CLUSTER SLOTS}). For writes that a {@code WAIT} must follow on the same connection ({@code --redis-replicas}):
 * the cluster client sends a command that names no key, such as {@code WAIT}, to any node. After a failover, the next
 * connection goes to the primary the cluster names then.
 */
public final class SlotPrimary {
  private final Vertx vertx;
  private final Redis cluster;
  private final RedisSettings settings;
  private final int slot;
  /** One client per primary this slot has had, by address; closed with this. */
  private final Map<String, Redis> clients = new LinkedHashMap<>();

  /** @param cluster a client of the Redis Cluster, asked where the slot is */
  public SlotPrimary(Vertx vertx, Redis cluster, RedisSettings settings, int slot) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.settings = settings;
    this.slot = slot;
  }

  /** A new connection to the slot's primary, as the cluster names it now. */
  public Future<RedisConnection> connect() {
    return cluster.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).compose(ranges -> {
      for (Response range : ranges) {
        if (range.get(0).toInteger() <= slot && slot <= range.get(1).toInteger()) {
          String host = range.get(2).get(0).toString();
          int port = range.get(2).get(1).toInteger();
          return clients.computeIfAbsent(host + ":" + port, a -> Redis.createClient(vertx, settings.nodeOptions(host, port)))
              .connect();
        }
      }
      return Future.failedFuture(new IllegalStateException("no primary of the Redis Cluster serves slot " + slot
          + " (CLUSTER SLOTS): is the cluster whole?"));
    });
  }

  public Future<Void> close() {
    List<Future<Void>> closed = new ArrayList<>();
    clients.values().forEach(client -> closed.add(client.close()));
    clients.clear();
    return Future.join(closed).mapEmpty();
  }
}
