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

/** Per job type: what waits, what runs, what was done, and whether it is paused, read from Redis in one round trip. */
public final class QueueStats {
  private static final int PER_QUEUE = 5;

  private QueueStats() {
  }

  public static Future<JsonArray> read(Redis redis, StreamKeys keys, Collection<String> types) {
    List<Request> reads = new ArrayList<>();
    for (String type : types) {
      String stream = keys.stream(type);
      reads.add(Request.cmd(Command.XLEN).arg(stream));
      reads.add(Request.cmd(Command.XPENDING).arg(stream).arg(StreamKeys.GROUP));
      reads.add(Request.cmd(Command.XINFO).arg("GROUPS").arg(stream));
      reads.add(Request.cmd(Command.HGETALL).arg(keys.counters(type)));
      reads.add(Request.cmd(Command.SISMEMBER).arg(keys.paused()).arg(type));
    }
    return redis.batch(reads).map(replies -> {
      JsonArray queues = new JsonArray();
      int i = 0;
      for (String type : types) {
        queues.add(queue(type, replies.subList(i, i + PER_QUEUE)));
        i += PER_QUEUE;
      }
      return queues;
    });
  }

  // replies: XLEN, XPENDING summary, XINFO GROUPS, HGETALL counters, SISMEMBER paused
  private static JsonObject queue(String type, List<Response> r) {
    long length = r.get(0).toLong();
    long inFlight = r.get(1).get(0).toLong();
    JsonObject counters = RedisPairs.toJson(r.get(3));
    Long lag = null;
    for (Response group : r.get(2)) {
      JsonObject g = RedisPairs.toJson(group);
      if (StreamKeys.GROUP.equals(g.getString("name")) && g.getString("lag") != null) {
        lag = Long.parseLong(g.getString("lag"));
      }
    }
    return new JsonObject()
        .put("type", type)
        .put("pending", Math.max(0, length - inFlight))
        .put("inFlight", inFlight)
        .put("lag", lag == null ? Math.max(0, length - inFlight) : lag)
        .put("processed", Long.parseLong(counters.getString("processed", "0")))
        .put("failed", Long.parseLong(counters.getString("failed", "0")))
        .put("dead", Long.parseLong(counters.getString("dead", "0")))
        .put("deadTrimmed", Long.parseLong(counters.getString("deadTrimmed", "0")))
        .put("paused", r.get(4).toLong() == 1);
  }
}
