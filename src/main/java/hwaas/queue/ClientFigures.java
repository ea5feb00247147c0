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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Per-client figures of API jobs, from the clients' sorted set and each client's index (its jobs of the last
 * {@code --record-ttl}, at most {@link JobRecords#KEPT_PER_CLIENT}) of every partition, added up: what it submitted
 * over the last hour and minute, and by state. The print clients of {@code ./hwaas W C} keep no records (by design:
 * their rate is the node's), so they are not here.
 */
public final class ClientFigures {
  private static final long HOUR = 3_600_000;
  private static final long MINUTE = 60_000;

  private final Redis redis;
  private final Partitions partitions;

  public ClientFigures(Redis redis, Partitions partitions) {
    this.redis = redis;
    this.partitions = partitions;
  }

  /**
   * The clients seen most recently first: {client, lastSeen, lastHour, lastMinute}. A client's last submission is its
   * latest in any partition, so the first {@code limit} clients are among the first {@code limit} of each partition.
   */
  public Future<JsonArray> list(int limit) {
    long now = System.currentTimeMillis();
    List<Future<Response>> tops = eachPartition(keys ->
        redis.send(Request.cmd(Command.ZREVRANGE).arg(keys.clients()).arg(0).arg(limit - 1).arg("WITHSCORES")));
    return Future.all(tops).compose(v -> {
      Map<String, Long> seen = new HashMap<>();
      tops.forEach(top -> pairs(top.result(), (name, at) -> seen.merge(name, at, Math::max)));
      // Ties as a sorted set orders them, newest first: by name, the greater first.
      List<String> names = seen.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()).reversed())
          .limit(limit).map(Map.Entry::getKey).toList();
      if (names.isEmpty()) {
        return Future.succeededFuture(new JsonArray());
      }
      return submitted(names, now).map(counts -> {
        JsonArray rows = new JsonArray();
        for (int i = 0; i < names.size(); i++) {
          rows.add(new JsonObject().put("client", names.get(i)).put("lastSeen", Instant.ofEpochMilli(seen.get(names.get(i))).toString())
              .put("lastHour", counts[2 * i]).put("lastMinute", counts[2 * i + 1]));
        }
        return rows;
      });
    });
  }

  /** Each client's jobs of the last hour and of the last minute, {hour, minute, hour, ...}, over every partition. */
  private Future<long[]> submitted(List<String> names, long now) {
    List<Future<List<Response>>> counts = eachPartition(keys -> {
      List<Request> requests = new ArrayList<>(names.size() * 2);
      names.forEach(name -> requests.addAll(recent(keys, name, now)));
      return redis.batch(requests); // within one partition: one slot
    });
    return Future.all(counts).map(v -> {
      long[] sums = new long[names.size() * 2];
      counts.forEach(replies -> {
        for (int i = 0; i < sums.length; i++) {
          sums[i] += replies.result().get(i).toLong();
        }
      });
      return sums;
    });
  }

  /**
   * The newest jobs of the last hour whose state {@link #one} counts, at most, each partition counting its share: one
   * script call stays short.
   */
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
   * the states now of the newest jobs of the last hour, at most {@link #STATES_COUNTED_AT_MOST} over the partitions
   * (byStateOf says how many).
   */
  public Future<JsonObject> one(String client) {
    long now = System.currentTimeMillis();
    List<Future<List<Response>>> seen = eachPartition(keys -> {
      List<Request> requests = new ArrayList<>(List.of(Request.cmd(Command.ZSCORE).arg(keys.clients()).arg(client)));
      requests.addAll(recent(keys, client, now));
      return redis.batch(requests);
    });
    return Future.all(seen).compose(v -> {
      long last = -1;
      long hour = 0;
      long minute = 0;
      for (Future<List<Response>> partition : seen) {
        List<Response> replies = partition.result();
        if (replies.get(0) != null) {
          last = Math.max(last, replies.get(0).toDouble().longValue());
        }
        hour += replies.get(1).toLong();
        minute += replies.get(2).toLong();
      }
      if (last < 0) {
        return Future.succeededFuture(null);
      }
      JsonObject figures = new JsonObject().put("client", client).put("lastSeen", Instant.ofEpochMilli(last).toString())
          .put("lastHour", hour).put("lastMinute", minute);
      return states(client, now).map(byState -> figures.put("byState", byState.getJsonObject("byState"))
          .put("byStateOf", byState.getLong("of")));
    });
  }

  /** {byState: {state: jobs}, of: jobs counted}: the client's newest jobs of the last hour, each partition's share. */
  private Future<JsonObject> states(String client, long now) {
    long share = partitions.share(STATES_COUNTED_AT_MOST);
    List<Future<Response>> statuses = eachPartition(keys ->
        STATES.run(redis, keys.service(), List.of(keys.clientJobs(client), now - HOUR, share, keys.record(""), now)));
    return Future.all(statuses).map(v -> {
      JsonObject byState = new JsonObject();
      JobIndex.STATES.forEach(s -> byState.put(s, 0L));
      long of = 0;
      for (Future<Response> partition : statuses) {
        for (Response s : partition.result()) {
          if (s != null && !s.toString().isEmpty()) {
            byState.put(s.toString(), byState.getLong(s.toString(), 0L) + 1);
          }
        }
        of += partition.result().size();
      }
      return new JsonObject().put("byState", byState).put("of", of);
    });
  }

  /** How many jobs the client submitted in this partition over the last hour, and over the last minute. */
  private static List<Request> recent(StreamKeys keys, String client, long now) {
    return List.of(Request.cmd(Command.ZCOUNT).arg(keys.clientJobs(client)).arg(now - HOUR).arg("+inf"),
        Request.cmd(Command.ZCOUNT).arg(keys.clientJobs(client)).arg(now - MINUTE).arg("+inf"));
  }

  /** One call per partition, all at once: each goes to its own partition's slot (a batch may not span them). */
  private <T> List<Future<T>> eachPartition(Function<StreamKeys, Future<T>> call) {
    return partitions.all().stream().map(call).toList();
  }

  // ZRANGE ... WITHSCORES: [member, score, ...] under RESP2, [[member, score], ...] under RESP3.
  private static void pairs(Response reply, BiConsumer<String, Long> each) {
    if (reply.size() > 0 && reply.get(0).type() == io.vertx.redis.client.ResponseType.MULTI) {
      reply.forEach(pair -> each.accept(pair.get(0).toString(), pair.get(1).toDouble().longValue()));
      return;
    }
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      each.accept(reply.get(i).toString(), reply.get(i + 1).toDouble().longValue());
    }
  }
}
