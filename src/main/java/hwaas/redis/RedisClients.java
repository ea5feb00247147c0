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
import java.util.function.Supplier;

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
    return Redis.createSentinelClient(vertx, options, new OrderedOptions(options, orderOf(options.getEndpoints())));
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

  private static AtomicReference<List<String>> orderOf(List<String> endpoints) {
    return ORDERS.computeIfAbsent(List.copyOf(endpoints), AtomicReference::new);
  }

  /**
   * The connect options with the sentinels in their current order. The client asks for them on every connection (a
   * pooled command included): they are built again only when the order changed.
   */
  private static final class OrderedOptions implements Supplier<Future<RedisSentinelConnectOptions>> {
    private final RedisOptions options;
    private final AtomicReference<List<String>> order;
    /** The order the options were built for, and the options: replaced together. */
    private volatile Built built;

    private record Built(List<String> order, Future<RedisSentinelConnectOptions> options) {
    }

    OrderedOptions(RedisOptions options, AtomicReference<List<String>> order) {
      this.options = options;
      this.order = order;
    }

    @Override
    public Future<RedisSentinelConnectOptions> get() {
      List<String> now = order.get();
      Built last = built;
      if (last == null || last.order() != now) {
        last = new Built(now, Future.succeededFuture(new RedisSentinelConnectOptions(options).setEndpoints(new ArrayList<>(now))));
        built = last;
      }
      return last.options();
    }
  }
}
