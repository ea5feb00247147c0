package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-client figures of API jobs, from the clients' sorted set and each client's index (its newest
 * {@link JobRecords#KEPT_PER_CLIENT} jobs): what it submitted over the last hour and minute, and by state. The print
 * clients of {@code ./hwaas W C} keep no records (by design: their rate is the node's), so they are not here.
 */
public final class ClientFigures {
  private static final long HOUR = 3_600_000;
  private static final long MINUTE = 60_000;

  private final Redis redis;
  private final StreamKeys keys;

  public ClientFigures(Redis redis, StreamKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** The clients seen most recently first: {client, lastSeen, lastHour, lastMinute}. */
  public Future<JsonArray> list(int limit) {
    long now = System.currentTimeMillis();
    return redis.send(Request.cmd(Command.ZREVRANGE).arg(keys.clients()).arg(0).arg(limit - 1).arg("WITHSCORES"))
        .compose(clients -> {
          List<String> names = new ArrayList<>();
          List<Long> seen = new ArrayList<>();
          pairs(clients, names, seen);
          if (names.isEmpty()) {
            return Future.succeededFuture(new JsonArray());
          }
          List<Request> counts = new ArrayList<>(names.size() * 2);
          for (String name : names) {
            counts.add(Request.cmd(Command.ZCOUNT).arg(keys.clientJobs(name)).arg(now - HOUR).arg("+inf"));
            counts.add(Request.cmd(Command.ZCOUNT).arg(keys.clientJobs(name)).arg(now - MINUTE).arg("+inf"));
          }
          return redis.batch(counts).map(replies -> {
            JsonArray rows = new JsonArray();
            for (int i = 0; i < names.size(); i++) {
              rows.add(new JsonObject().put("client", names.get(i)).put("lastSeen", Instant.ofEpochMilli(seen.get(i)).toString())
                  .put("lastHour", replies.get(2 * i).toLong()).put("lastMinute", replies.get(2 * i + 1).toLong()));
            }
            return rows;
          });
        });
  }

  /** One client: {client, lastHour, lastMinute, byState: {state: jobs}} over the last hour; null if never seen. */
  public Future<JsonObject> one(String client) {
    long now = System.currentTimeMillis();
    String index = keys.clientJobs(client);
    return redis.batch(List.of(Request.cmd(Command.ZSCORE).arg(keys.clients()).arg(client),
            Request.cmd(Command.ZREVRANGEBYSCORE).arg(index).arg("+inf").arg(now - HOUR),
            Request.cmd(Command.ZCOUNT).arg(index).arg(now - MINUTE).arg("+inf")))
        .compose(replies -> {
          if (replies.get(0) == null) {
            return Future.succeededFuture(null);
          }
          Response ids = replies.get(1);
          JsonObject figures = new JsonObject().put("client", client)
              .put("lastSeen", Instant.ofEpochMilli(replies.get(0).toDouble().longValue()).toString())
              .put("lastHour", (long) ids.size()).put("lastMinute", replies.get(2).toLong());
          JsonObject byState = new JsonObject();
          JobIndex.STATES.forEach(s -> byState.put(s, 0L));
          figures.put("byState", byState);
          if (ids.size() == 0) {
            return Future.succeededFuture(figures);
          }
          List<Request> reads = new ArrayList<>(ids.size());
          ids.forEach(id -> reads.add(Request.cmd(Command.HGET).arg(keys.record(id.toString())).arg("status")));
          return redis.batch(reads).map(statuses -> {
            statuses.forEach(s -> {
              if (s != null) {
                byState.put(s.toString(), byState.getLong(s.toString(), 0L) + 1);
              }
            });
            return figures;
          });
        });
  }

  // ZRANGE ... WITHSCORES: [member, score, ...] under RESP2, [[member, score], ...] under RESP3.
  private static void pairs(Response reply, List<String> names, List<Long> scores) {
    if (reply.size() > 0 && reply.get(0).type() == io.vertx.redis.client.ResponseType.MULTI) {
      reply.forEach(pair -> {
        names.add(pair.get(0).toString());
        scores.add(pair.get(1).toDouble().longValue());
      });
      return;
    }
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      names.add(reply.get(i).toString());
      scores.add(reply.get(i + 1).toDouble().longValue());
    }
  }
}
