package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.ArrayList;
import java.util.List;

/** Creates the stream and its consumer group when they are missing (first start, or a Redis that lost them). */
public final class StreamGroup {
  private StreamGroup() {
  }

  public static Future<Void> ensure(Redis redis, String stream) {
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(StreamKeys.GROUP).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(err -> String.valueOf(err.getMessage()).startsWith("BUSYGROUP")
            ? Future.succeededFuture()
            : Future.failedFuture(err));
  }

  /** The streams of every priority of these types ({@link Priority}). */
  public static Future<Void> ensureAll(Redis redis, StreamKeys keys, Iterable<String> types) {
    List<Future<Void>> all = new ArrayList<>();
    types.forEach(type -> Priority.queues(type).forEach(queue -> all.add(ensure(redis, keys.stream(queue)))));
    return Future.all(all).mapEmpty();
  }

  /** The streams of every priority of these types in every partition, all at once (each partition on its own slot). */
  public static Future<Void> ensureAll(Redis redis, Partitions partitions, Iterable<String> types) {
    return Future.all(partitions.all().stream().map(keys -> ensureAll(redis, keys, types)).toList()).mapEmpty();
  }
}
