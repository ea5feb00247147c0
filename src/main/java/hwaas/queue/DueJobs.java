package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * Moves delayed API jobs whose time has come from the scheduled set to their streams. One Lua script takes the due
 * ids, appends the jobs (one entry per type), marks their records queued and removes them from the set, atomically:
 * every node runs it, and whichever gets there first moves a job, once.
 */
final class DueJobs {
  /** Jobs moved per call; a full call is followed by another at once. */
  static final int MOVE_AT_MOST = 1000;

  // ARGV[1]: the scheduled set, ARGV[2]: record key prefix, ARGV[3]: stream name prefix, ARGV[4]: now (epoch millis),
  // ARGV[5]: the most to move, ARGV[6]: the console's index prefix (JobIndex). The batch JSON is built from the record (ids and types are plain names; the payload is
  // JSON already), with the due time as its send time. A job whose record is gone (expired, or canceled) is dropped.
  // Replies with the number of ids taken from the set.
  private static final String LUA = String.join("\n",
      "local ids = redis.call('ZRANGEBYSCORE', ARGV[1], '-inf', ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))",
      "if #ids == 0 then return 0 end",
      "local texts, types = {}, {}",
      "for _, id in ipairs(ids) do",
      "  local record = ARGV[2] .. id",
      "  local r = redis.call('HMGET', record, 'type', 'payload', 'runAt', 'status', 'priority')",
      "  if r[1] and r[2] and r[4] == 'scheduled' then",
      // The queue of its type at its priority (the normal one is the type's own stream).
      "    local q = r[5] and (r[1] .. ':' .. r[5]) or r[1]",
      "    if not texts[q] then texts[q], types[#types + 1] = {}, q end",
      "    local t = texts[q]",
      "    t[#t + 1] = '{\"key\":\"' .. id .. '\",\"type\":\"' .. r[1] .. '\",\"sentAt\":' .. (r[3] or ARGV[4])",
      "      .. ',\"payload\":' .. r[2] .. ',\"tracked\":true,\"ids\":[\"' .. id .. '\"]}'",
      "    redis.call('HSET', record, 'status', 'queued', 'ev:' .. ARGV[4] .. ':queued', 'due')",
      "    redis.call('ZREM', ARGV[6] .. 'state:scheduled', id)",
      "    redis.call('ZADD', ARGV[6] .. 'state:queued', ARGV[4], id)",
      "  end",
      "end",
      "for _, t in ipairs(types) do",
      "  redis.call('XADD', ARGV[3] .. t, '*', 'jobs', '[' .. table.concat(texts[t], ',') .. ']')",
      "end",
      "redis.call('ZREM', ARGV[1], unpack(ids))",
      "return #ids");

  private final Redis redis;
  private final StreamKeys keys;
  private String sha;

  DueJobs(Redis redis, StreamKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  Future<Void> load() {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(LUA)).map(sha -> {
      this.sha = sha.toString();
      return null;
    });
  }

  /** Moves up to {@link #MOVE_AT_MOST} jobs due by now; answers how many it took from the set. */
  Future<Integer> moveDue() {
    long now = System.currentTimeMillis();
    return redis.send(request(Command.EVALSHA, sha, now))
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")
            ? redis.send(request(Command.EVAL, LUA, now)) // Redis restarted and lost its script cache
            : Future.failedFuture(err))
        .map(moved -> moved.toInteger());
  }

  private Request request(Command command, String script, long now) {
    return Request.cmd(command).arg(script).arg(0).arg(keys.scheduled()).arg(keys.record("")).arg(keys.streamPrefix())
        .arg(now).arg(MOVE_AT_MOST).arg(keys.indexPrefix());
  }
}
