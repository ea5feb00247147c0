package hwaas.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisSentinelConnectOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's long-lived Redis clients. Behind sentinels, Vert.x's client asks the first sentinel that answers where the
 * primary is (and keeps the answer for a second). During a failover the sentinel that leads it names the old primary
 * until the failover ends, seconds after the others name the new one: a client that asked it then went back to the old
 * primary, which a switchover leaves running. So the sentinels are asked in an order of their own, and one that
 * announced a new primary ({@link SentinelFollower}) is asked first from then on.
 */
public final class RedisClients {
  /** Per set of sentinels (each node of a JVM on the same set shares it): the order to ask them in. */
  private static final Map<List<String>, AtomicReference<List<String>>> ORDERS = new ConcurrentHashMap<>();

  private RedisClients() {
  }

  public static Redis create(Vertx vertx, RedisOptions options) {
    if (options.getType() != RedisClientType.SENTINEL) {
      return Redis.createClient(vertx, options);
    }
    AtomicReference<List<String>> order = orderOf(options.getEndpoints());
    // Asked for every connection and every refresh of the sentinels' answer.
    return Redis.createSentinelClient(vertx, options,
        () -> Future.succeededFuture(new RedisSentinelConnectOptions(options).setEndpoints(new ArrayList<>(order.get()))));
  }

  /** The sentinel {@code first} of the set {@code endpoints} knows the newest primary: it is asked first. */
  static void askFirst(List<String> endpoints, String first) {
    orderOf(endpoints).updateAndGet(current -> {
      List<String> next = new ArrayList<>(current);
      next.remove(first);
      next.add(0, first);
      return List.copyOf(next);
    });
  }

  private static AtomicReference<List<String>> orderOf(Iterable<String> endpoints) {
    List<String> set = new ArrayList<>();
    endpoints.forEach(set::add);
    return ORDERS.computeIfAbsent(List.copyOf(set), AtomicReference::new);
  }
}
