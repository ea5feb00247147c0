package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/** Creates the stream and its consumer group when they are missing (first start, or a Redis that lost them). */
public final class StreamGroup {
  private StreamGroup() {
  }

  public static Future<Void> ensure(Redis redis, StreamKeys keys) {
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(keys.stream()).arg(StreamKeys.GROUP).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(err -> String.valueOf(err.getMessage()).startsWith("BUSYGROUP")
            ? Future.succeededFuture()
            : Future.failedFuture(err));
  }

  /** Entries in the stream that are not yet acknowledged (acknowledged ones are deleted), whether delivered or not. */
  public static Future<Long> unacknowledged(Redis redis, StreamKeys keys) {
    return redis.send(Request.cmd(Command.XLEN).arg(keys.stream())).map(r -> r.toLong());
  }
}
