package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection that the queue's writes share, several in flight at once: Redis runs the commands of one
 * connection in the order they were sent, so jobs still enter the streams in the order they arrived, while the next
 * write no longer waits for the last one's round trip. A dropped connection fails what was in flight (the submitters
 * resend) and the next send connects again. Used from one event loop only.
 */
final class PipelinedConnection {
  private final Redis client;
  private Future<RedisConnection> connection;

  PipelinedConnection(Redis client) {
    this.client = client;
  }

  Future<Response> send(Request request) {
    if (connection == null) {
      Future<RedisConnection> connecting = client.connect();
      connection = connecting;
      connecting.onSuccess(c -> {
        c.exceptionHandler(err -> dropped(connecting));
        c.endHandler(v -> dropped(connecting));
      }).onFailure(err -> dropped(connecting));
    }
    return connection.compose(c -> c.send(request));
  }

  private void dropped(Future<RedisConnection> which) {
    if (connection == which) {
      connection = null;
      if (which.succeeded()) {
        which.result().close();
      }
    }
  }

  Future<Void> close() {
    Future<RedisConnection> last = connection;
    connection = null;
    return last == null || last.failed() ? Future.succeededFuture() : last.compose(RedisConnection::close);
  }
}
