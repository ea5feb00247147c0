package hwaas.redis;

import hwaas.support.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Listens to every sentinel for a new primary ({@code +switch-master}) and moves the node to it. Vert.x's client
 * reconnects on the announcement of the one sentinel it listens to, but finds the primary through a cached answer of
 * the first sentinel, which may still name the old one: after a switchover (SENTINEL FAILOVER, the old primary left
 * running) the workers kept reading the old primary for 11 s, until the sentinels turned it into a replica. Here the
 * announcing sentinel is asked first from then on ({@link RedisClients}), and once the cached answer has expired the
 * node's long-lived connections are told to connect again ({@link #PRIMARY_MOVED}, local): the queue's writes, the
 * API's shared connection, the workers' and the external workers' readers. Pooled commands follow by themselves.
 */
public final class SentinelFollower extends VerticleBase {
  /** Local address: the primary moved; its body is the new primary's {@code host:port}. */
  public static final String PRIMARY_MOVED = "hwaas.redis.primary-moved";
  /** Vert.x keeps the sentinels' answer for 1 s (RedisSentinelConnectOptions' topology cache): connect after it. */
  static final long SETTLE_MILLIS = 1_200;
  private static final long RETRY_MILLIS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(SentinelFollower.class);

  private final SentinelAddress address;
  private final List<Redis> clients = new ArrayList<>();
  /** Each sentinel's subscribed connection, while it lives. */
  private final Map<String, RedisConnection> live = new HashMap<>();
  private final OutageLog outage = new OutageLog(log, "sentinel follower");
  private String primary;
  private boolean stopped;

  public SentinelFollower(SentinelAddress address) {
    this.address = address;
  }

  @Override
  public Future<?> start() {
    List<String> endpoints = address.endpoints();
    for (int i = 0; i < endpoints.size(); i++) {
      Sentinel sentinel = new Sentinel(endpoints.get(i), address.sentinels().get(i).toString(),
          Redis.createClient(vertx, new RedisOptions().setConnectionString(endpoints.get(i))));
      clients.add(sentinel.client());
      listen(sentinel);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    live.values().forEach(RedisConnection::close);
    live.clear();
    clients.forEach(Redis::close);
    return Future.succeededFuture();
  }

  private void listen(Sentinel sentinel) {
    if (stopped) {
      return;
    }
    sentinel.client().connect()
        .compose(connection -> {
          live.put(sentinel.endpoint(), connection);
          connection.handler(message -> announced(sentinel.endpoint(), message));
          connection.exceptionHandler(err -> lost(sentinel, connection, err));
          connection.endHandler(v -> lost(sentinel, connection, new IllegalStateException("connection closed")));
          return connection.send(Request.cmd(Command.SUBSCRIBE).arg("+switch-master"));
        })
        .onSuccess(v -> outage.success())
        .onFailure(err -> {
          RedisConnection half = live.remove(sentinel.endpoint());
          if (half != null) {
            half.close();
          }
          retry(sentinel, err);
        });
  }

  /** The connection to a sentinel failed or closed: once per connection, listen again on a new one. */
  private void lost(Sentinel sentinel, RedisConnection connection, Throwable err) {
    if (live.remove(sentinel.endpoint(), connection)) {
      connection.close();
      retry(sentinel, err);
    }
  }

  private void retry(Sentinel sentinel, Throwable err) {
    if (!stopped) {
      outage.failure("listening to the sentinel at " + sentinel.hostPort(), err);
      vertx.setTimer(RETRY_MILLIS, t -> listen(sentinel));
    }
  }

  // A published message: [message, +switch-master, "<master name> <old ip> <old port> <new ip> <new port>"].
  private void announced(String endpoint, Response message) {
    if (message.type() != ResponseType.PUSH || message.size() < 3 || !"message".equalsIgnoreCase(message.get(0).toString())) {
      return;
    }
    String[] parts = message.get(2).toString().split(" ");
    if (parts.length != 5 || !parts[0].equals(address.masterName())) {
      return;
    }
    RedisClients.askFirst(address.endpoints(), endpoint);
    String moved = parts[3] + ":" + parts[4];
    if (moved.equals(primary)) {
      return; // another sentinel announcing the same failover
    }
    primary = moved;
    log.info("the sentinels name a new primary for {}: {} (was {}:{}); this node's connections move to it",
        address.masterName(), moved, parts[1], parts[2]);
    vertx.setTimer(SETTLE_MILLIS, t -> vertx.eventBus().publish(PRIMARY_MOVED, moved, new DeliveryOptions().setLocalOnly(true)));
  }

  /**
   * One sentinel: its connection string (with the password, the order's key in {@link RedisClients}), its address
   * for the log, and the client its subscription is made with.
   */
  private record Sentinel(String endpoint, String hostPort, Redis client) {
  }
}
