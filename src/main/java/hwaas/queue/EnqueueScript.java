package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends batches to the streams in one round trip, idempotently: the batches of one type become one stream
 * entry, and a batch key seen before gets back its first entry id and adds nothing, so a client may resend a
 * submission whose reply it never received.
 */
final class EnqueueScript {
  // ARGV[1]: stream name prefix, ARGV[2]: idempotency key prefix, ARGV[3]: counters key prefix, ARGV[4]: the most
  // jobs of one type that may wait or run (the backlog), then (batch key, job type, key TTL in seconds, jobs, batch
  // JSON) quintuples. Each type's new batches go into one entry of its stream, as a JSON array in the field 'jobs',
  // and count as enqueued; a type whose backlog (enqueued - processed - dead) is at the limit takes none of them.
  // Replies with the entry id of every batch, in order, or BACKLOG for a batch refused so.
  private static final String LUA = String.join("\n",
      "local ids, types, fresh, slots, first, counts = {}, {}, {}, {}, {}, {}",
      "for i = 5, #ARGV, 5 do",
      "  local n, key, t = i / 5, ARGV[i], ARGV[i + 1]",
      "  ids[n] = first[key] or redis.call('GET', ARGV[2] .. key)",
      "  if not ids[n] then",
      "    first[key] = n",
      "    if not fresh[t] then fresh[t], slots[t], counts[t], types[#types + 1] = {}, {}, 0, t end",
      "    fresh[t][#fresh[t] + 1] = ARGV[i + 4]",
      "    slots[t][#slots[t] + 1] = i",
      "    counts[t] = counts[t] + tonumber(ARGV[i + 3])",
      "  end",
      "end",
      "for _, t in ipairs(types) do",
      "  local c = redis.call('HMGET', ARGV[3] .. t, 'enqueued', 'processed', 'dead')",
      "  local backlog = (tonumber(c[1]) or 0) - (tonumber(c[2]) or 0) - (tonumber(c[3]) or 0)",
      "  local id = 'BACKLOG'",
      "  if backlog < tonumber(ARGV[4]) then",
      "    id = redis.call('XADD', ARGV[1] .. t, '*', 'jobs', '[' .. table.concat(fresh[t], ',') .. ']')",
      "    redis.call('HINCRBY', ARGV[3] .. t, 'enqueued', counts[t])",
      "  end",
      "  for _, i in ipairs(slots[t]) do",
      "    ids[i / 5] = id",
      "    if id ~= 'BACKLOG' then redis.call('SET', ARGV[2] .. ARGV[i], id, 'EX', ARGV[i + 2]) end",
      "  end",
      "end",
      // A key sent twice in one call: the later copy takes the entry id the first one got.
      "for i = 5, #ARGV, 5 do",
      "  local n = i / 5",
      "  if type(ids[n]) == 'number' then ids[n] = ids[ids[n]] end",
      "end",
      "return ids");
  /** The reply for a batch refused because its type's backlog is full. */
  static final String BACKLOG = "BACKLOG";

  private final Redis redis;
  private final StreamKeys keys;
  private String sha;

  /**
   * One batch to write: its key, its type and its JSON text, written as it is.
   *
   * @param keyTtl how long the key is remembered, making a resend harmless
   */
  record Write(String key, String type, Duration keyTtl, int jobs, String json) {
  }

  private final long maxBacklog;

  EnqueueScript(Redis redis, StreamKeys keys, long maxBacklog) {
    this.redis = redis;
    this.keys = keys;
    this.maxBacklog = maxBacklog;
  }

  Future<Void> load() {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(LUA))
        .map(sha -> {
          this.sha = sha.toString();
          return null;
        });
  }

  /** The stream entry id of each batch, in order. */
  Future<List<String>> enqueue(List<Write> batches) {
    return redis.send(request(Command.EVALSHA, sha, batches))
        .recover(err -> isNoScript(err)
            // Redis restarted and lost its script cache: EVAL also caches it again.
            ? redis.send(request(Command.EVAL, LUA, batches))
            : Future.failedFuture(err))
        .map(EnqueueScript::entryIds);
  }

  private Request request(Command command, String script, List<Write> batches) {
    Request req = Request.cmd(command).arg(script).arg(0).arg(keys.streamPrefix()).arg(keys.idempotencyPrefix())
        .arg(keys.counters("")).arg(maxBacklog);
    for (Write batch : batches) {
      req.arg(batch.key()).arg(batch.type()).arg(Math.max(1, batch.keyTtl().toSeconds())).arg(batch.jobs()).arg(batch.json());
    }
    return req;
  }

  private static boolean isNoScript(Throwable err) {
    return err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT");
  }

  private static List<String> entryIds(Response reply) {
    List<String> ids = new ArrayList<>(reply.size());
    for (Response id : reply) {
      ids.add(id.toString());
    }
    return ids;
  }
}
