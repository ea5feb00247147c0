package hwaas.worker;

import hwaas.queue.Job;
import hwaas.queue.StreamKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One consumer of the group, on a connection of its own: XREADGROUP BLOCK parks the connection until
 * entries arrive, so sharing it with the pool would stall every other command behind it.
 */
final class StreamReader {
  /** An entry as read: a job, or the reason it could not be read as one. */
  record Entry(String entryId, Job job, String error) {
  }

  private final RedisConnection connection;
  private final StreamKeys keys;
  private final String consumer;
  private final int batchSize;
  private final String blockMillis;

  StreamReader(RedisConnection connection, StreamKeys keys, String consumer, int batchSize, Duration block) {
    this.connection = connection;
    this.keys = keys;
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
    read.arg("STREAMS").arg(keys.stream()).arg(">");
    return connection.send(read).map(StreamReader::entries);
  }

  /** Acknowledges the entries and deletes them, so the stream holds only unfinished work. */
  Future<Void> ack(List<String> entryIds) {
    if (entryIds.isEmpty()) {
      return Future.succeededFuture();
    }
    Request xack = Request.cmd(Command.XACK).arg(keys.stream()).arg(StreamKeys.GROUP);
    Request xdel = Request.cmd(Command.XDEL).arg(keys.stream());
    for (String id : entryIds) {
      xack.arg(id);
      xdel.arg(id);
    }
    return connection.batch(List.of(xack, xdel)).mapEmpty();
  }

  /** Leaves the group; only when this consumer holds nothing, or its pending entries would be forgotten. */
  Future<Void> leaveGroup() {
    return connection.send(Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(keys.stream()).arg(StreamKeys.GROUP).arg(consumer))
        .mapEmpty();
  }

  Future<Void> close() {
    return connection.close();
  }

  // RESP2 reply: [[stream, [[id, [field, value, ...]], ...]]], or nil when nothing arrived.
  private static List<Entry> entries(Response reply) {
    if (reply == null || reply.size() == 0) {
      return List.of();
    }
    Response streamEntries = reply.get(0).get(1);
    List<Entry> entries = new ArrayList<>(streamEntries.size());
    for (Response raw : streamEntries) {
      entries.add(parse(raw.get(0).toString(), raw.get(1)));
    }
    return entries;
  }

  private static Entry parse(String entryId, Response fields) {
    if (fields != null) {
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("job".equals(fields.get(i).toString())) {
          String raw = fields.get(i + 1).toString();
          try {
            return new Entry(entryId, Job.fromJson(new JsonObject(raw)), null);
          } catch (RuntimeException e) {
            return new Entry(entryId, null, e.getMessage() + " in " + raw);
          }
        }
      }
    }
    return new Entry(entryId, null, "entry has no 'job' field");
  }
}
