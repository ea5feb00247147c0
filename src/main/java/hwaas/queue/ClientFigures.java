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
 * Per-client figures of API jobs, from the clients' sorted set and each client's index (its jobs of the last
 * {@code --record-ttl}, at most {@link JobRecords#KEPT_PER_CLIENT}): what it submitted over the last hour and minute,
 * and by state. The print
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

  /** The newest jobs of the last hour whose state {@link #one} counts, at most: one script call stays short. */
  public static final int STATES_COUNTED_AT_MOST = 10_000;

  // ARGV: 1 the client's index, 2 from (millis), 3 most to count, 4 record prefix, 5 now (millis). Replies {status,
  // status, ...} of the newest jobs since ARGV[2] ('' for a record that expired); a scheduled job that is due is
  // queued (JobRecords.dueNow).
  private static final LuaScript STATES = new LuaScript(JobRecords.STATUS_NOW_LUA,
      "local ids = redis.call('ZREVRANGEBYSCORE', ARGV[1], '+inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))",
      "local out, now = {}, tonumber(ARGV[5])",
      "for i, id in ipairs(ids) do",
      "  local r = redis.call('HMGET', ARGV[4] .. id, 'status', 'runAt')",
      "  out[i] = statusNow(r[1], r[2], now) or ''",
      "end",
      "return out");

  /**
   * One client: {client, lastHour, lastMinute, byState: {state: jobs}, byStateOf}; null if never seen. byState counts
   * the states now of the newest {@link #STATES_COUNTED_AT_MOST} jobs of the last hour (byStateOf says how many).
   */
  public Future<JsonObject> one(String client) {
    long now = System.currentTimeMillis();
    String index = keys.clientJobs(client);
    return redis.batch(List.of(Request.cmd(Command.ZSCORE).arg(keys.clients()).arg(client),
            Request.cmd(Command.ZCOUNT).arg(index).arg(now - HOUR).arg("+inf"),
            Request.cmd(Command.ZCOUNT).arg(index).arg(now - MINUTE).arg("+inf")))
        .compose(replies -> {
          if (replies.get(0) == null) {
            return Future.succeededFuture(null);
          }
          JsonObject figures = new JsonObject().put("client", client)
              .put("lastSeen", Instant.ofEpochMilli(replies.get(0).toDouble().longValue()).toString())
              .put("lastHour", replies.get(1).toLong()).put("lastMinute", replies.get(2).toLong());
          JsonObject byState = new JsonObject();
          JobIndex.STATES.forEach(s -> byState.put(s, 0L));
          figures.put("byState", byState);
          return STATES.run(redis, keys.service(), List.of(index, now - HOUR, STATES_COUNTED_AT_MOST, keys.record(""), now)).map(statuses -> {
            statuses.forEach(s -> {
              if (s != null && !s.toString().isEmpty()) {
                byState.put(s.toString(), byState.getLong(s.toString(), 0L) + 1);
              }
            });
            return figures.put("byStateOf", (long) statuses.size());
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
