package hwaas.worker;

import hwaas.queue.GroupScripts;
import hwaas.queue.StreamKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;

/**
 * One consumer of the group, on a connection of its own: XREADGROUP BLOCK parks the connection until
 * entries arrive, so sharing it with the pool would stall every other command behind it.
 */
final class StreamReader {
  private final RedisConnection connection;
  private final String stream;
  private final String consumer;
  private final int batchSize;
  private final String blockMillis;
  private boolean closed;

  StreamReader(RedisConnection connection, String stream, String consumer, int batchSize, Duration block) {
    this.connection = connection;
    this.stream = stream;
    this.consumer = consumer;
    this.batchSize = batchSize;
    this.blockMillis = Long.toString(block.toMillis());
  }

  String consumer() {
    return consumer;
  }

  /** The next new entries for this consumer; waits up to the block time for some unless {@code wait} is false. */
  Future<List<Entry>> next(boolean wait) {
    Request read = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(StreamKeys.GROUP).arg(consumer)
        .arg("COUNT").arg(batchSize);
    if (wait) {
      read.arg("BLOCK").arg(blockMillis);
    }
    read.arg("STREAMS").arg(stream).arg(">");
    return connection.send(read).map(StreamReader::entries);
  }

  /** Sends on this connection, which is idle between reads, so updates of one job arrive in order. */
  Future<List<Response>> send(List<Request> requests) {
    return requests.isEmpty() ? Future.succeededFuture(List.of()) : connection.batch(requests);
  }

  /**
   * Of entries this consumer held back (read as its type was paused), those it still holds, their idle time reset so
   * that no reclaimer takes them while they run; an entry another worker claimed meanwhile is left to it.
   */
  Future<List<Entry>> keepIfMine(List<Entry> entries) {
    return GroupScripts.keepIfMine(connection, stream, consumer, entries.stream().map(Entry::entryId).toList())
        .map(mine -> entries.stream().filter(e -> mine.contains(e.entryId())).toList());
  }

  /** Leaves the group, in one step with the check that this consumer holds nothing (else it stays, claimable). */
  Future<Boolean> leaveGroupIfIdle() {
    return GroupScripts.leaveIfIdle(connection, stream, consumer);
  }

  /** Closes the connection; again is harmless (a retry after a failed reconnect closes it a second time). */
  Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    try {
      return connection.close();
    } catch (RuntimeException e) { // a connection already dropped by the client throws instead of failing
      return Future.failedFuture(e);
    }
  }

  // RESP2 reply: [[stream, [[id, [field, value, ...]], ...]]], or nil when nothing arrived.
  private static List<Entry> entries(Response reply) {
    if (reply == null || reply.size() == 0) {
      return List.of();
    }
    return Entry.parseAll(reply.get(0).get(1), 1);
  }
}
