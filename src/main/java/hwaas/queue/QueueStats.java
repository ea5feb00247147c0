package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Per job type (all its priorities together, and what waits at each): what waits, what runs, what was done, and whether it is paused, read from Redis in one round trip. */
public final class QueueStats {
  /** Per stream: XLEN, XPENDING, XINFO GROUPS; per type: counters and paused. */
  private static final int PER_STREAM = 3;
  private static final int PER_TYPE = 3 * PER_STREAM + 2;

  private QueueStats() {
  }

  /** The figures of every partition added up (one round trip each); paused as the home says. */
  public static Future<JsonArray> read(Redis redis, Partitions partitions, Collection<String> types) {
    List<Future<JsonArray>> reads = new ArrayList<>();
    partitions.all().forEach(keys -> reads.add(read(redis, keys, types)));
    return Future.all(reads).map(all -> {
      JsonArray total = reads.get(0).result();
      for (Future<JsonArray> other : reads.subList(1, reads.size())) {
        for (int t = 0; t < total.size(); t++) {
          add(total.getJsonObject(t), other.result().getJsonObject(t));
        }
      }
      return total;
    });
  }

  /** Adds every count of {@code more} to {@code total}, nested ones too; the rest (type, paused) stays the home's. */
  private static void add(JsonObject total, JsonObject more) {
    more.forEach(e -> {
      if (e.getValue() instanceof Number n) {
        total.put(e.getKey(), total.getLong(e.getKey()) + n.longValue());
      } else if (e.getValue() instanceof JsonObject inner) {
        add(total.getJsonObject(e.getKey()), inner);
      }
    });
  }

  /** One partition's figures: its streams and counters in one round trip (one slot). */
  private static Future<JsonArray> read(Redis redis, StreamKeys keys, Collection<String> types) {
    List<Request> reads = new ArrayList<>();
    for (String type : types) {
      for (String queue : Priority.queues(type)) {
        String stream = keys.stream(queue);
        reads.add(Request.cmd(Command.XLEN).arg(stream));
        reads.add(Request.cmd(Command.XPENDING).arg(stream).arg(StreamKeys.GROUP));
        reads.add(Request.cmd(Command.XINFO).arg("GROUPS").arg(stream));
      }
      reads.add(Request.cmd(Command.HGETALL).arg(keys.counters(type)));
      reads.add(Request.cmd(Command.SISMEMBER).arg(keys.paused()).arg(type));
    }
    return redis.batch(reads).map(replies -> {
      JsonArray queues = new JsonArray();
      int i = 0;
      for (String type : types) {
        queues.add(queue(type, replies.subList(i, i + PER_TYPE)));
        i += PER_TYPE;
      }
      return queues;
    });
  }

  // replies: per priority high to low, XLEN, XPENDING summary, XINFO GROUPS; then HGETALL counters, SISMEMBER paused
  private static JsonObject queue(String type, List<Response> r) {
    long pending = 0;
    long inFlight = 0;
    long lag = 0;
    JsonObject byPriority = new JsonObject();
    for (int p = 0; p < Priority.ORDER.size(); p++) {
      List<Response> stream = r.subList(p * PER_STREAM, (p + 1) * PER_STREAM);
      long length = stream.get(0).toLong();
      long held = stream.get(1).get(0).toLong();
      long waiting = Math.max(0, length - held);
      Long groupLag = null;
      for (Response group : stream.get(2)) {
        JsonObject g = RedisPairs.toJson(group);
        if (StreamKeys.GROUP.equals(g.getString("name")) && g.getString("lag") != null) {
          groupLag = Long.parseLong(g.getString("lag"));
        }
      }
      pending += waiting;
      inFlight += held;
      lag += groupLag == null ? waiting : groupLag;
      byPriority.put(Priority.ORDER.get(p).label(), waiting);
    }
    JsonObject counters = RedisPairs.toJson(r.get(3 * PER_STREAM));
    return new JsonObject()
        .put("type", type)
        .put("pending", pending)
        .put("pendingByPriority", byPriority)
        .put("inFlight", inFlight)
        .put("lag", lag)
        .put("processed", Long.parseLong(counters.getString("processed", "0")))
        .put("failed", Long.parseLong(counters.getString("failed", "0")))
        .put("dead", Long.parseLong(counters.getString("dead", "0")))
        .put("deadTrimmed", Long.parseLong(counters.getString("deadTrimmed", "0")))
        .put("paused", r.get(3 * PER_STREAM + 1).toLong() == 1);
  }
}
