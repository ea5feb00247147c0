package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.List;
import java.util.function.Supplier;

/**
 * One Redis connection that many requests share, several in flight at once. The queue's writes go through one:
 * Redis runs the commands of one connection in the order they were sent, so jobs still enter the streams in the order
 * they arrived, while the next write no longer waits for the last one's round trip. The API's reads of jobs go
 * through another: concurrent reads travel together instead of each taking a pooled connection and waking Redis
 * ({@code wrk} GETs: about a third more reads a second). A dropped connection fails what was in flight (submitters resend,
 * readers get 503) and the next request connects again. Used from one event loop only.
 */
public final class PipelinedConnection {
  private final Supplier<Future<RedisConnection>> connector;
  private Future<RedisConnection> connection;

  public PipelinedConnection(Redis client) {
    this(client::connect);
  }

  /** @param connector makes each new connection: one to a known node ({@code hwaas.redis.SlotPrimary}), say */
  public PipelinedConnection(Supplier<Future<RedisConnection>> connector) {
    this.connector = connector;
  }

  public Future<Response> send(Request request) {
    Future<RedisConnection> used = connected();
    return used.compose(c -> c.send(request)).onFailure(err -> droppedIfMoved(used, err));
  }

  /** The requests sent back to back, in order; one round trip. */
  public Future<List<Response>> batch(List<Request> requests) {
    Future<RedisConnection> used = connected();
    return used.compose(c -> c.batch(requests)).onFailure(err -> droppedIfMoved(used, err));
  }

  /**
   * A node that no longer serves the keys answers on a plain connection: a Redis Cluster node after a failover with
   * MOVED, a primary turned replica with READONLY (and keeps the connection open; Sentinel closes its clients when it
   * turns one, a REPLICAOF by hand does not). The next request connects again, to the node that serves them now.
   */
  private void droppedIfMoved(Future<RedisConnection> used, Throwable err) {
    String message = String.valueOf(err.getMessage());
    int batched = message.startsWith("ERR [") ? message.indexOf("] ") : -1; // a batch's: "ERR [0] READONLY ..."
    if (batched > 0) {
      message = message.substring(batched + 2);
    }
    if (message.startsWith("MOVED") || message.startsWith("READONLY")) {
      dropped(used);
    }
  }

  private Future<RedisConnection> connected() {
    if (connection == null) {
      Future<RedisConnection> connecting = connector.get();
      connection = connecting;
      connecting.onSuccess(c -> {
        c.exceptionHandler(err -> dropped(connecting));
        c.endHandler(v -> dropped(connecting));
      }).onFailure(err -> dropped(connecting));
    }
    return connection;
  }

  private void dropped(Future<RedisConnection> which) {
    if (connection == which) {
      connection = null;
      if (which.succeeded()) {
        which.result().close();
      }
    }
  }

  /**
   * The primary moved ({@code SentinelFollower}): the next request connects again. Requests already sent are answered
   * on the old connection, which goes back to the client's pool (a client's connection is not closed by its close).
   */
  public void reconnect() {
    Future<RedisConnection> current = connection;
    if (current != null) {
      dropped(current);
    }
  }

  public Future<Void> close() {
    Future<RedisConnection> last = connection;
    connection = null;
    return last == null || last.failed() ? Future.succeededFuture() : last.compose(RedisConnection::close);
  }
}
