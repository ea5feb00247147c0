package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.time.Duration;

/**
 * Moves delayed API jobs whose time has come from the scheduled set to their streams. One Lua script takes the due
 * ids, appends the jobs (one entry per queue), marks their records queued, indexes them for the console and removes
 * them from the set, atomically: every node runs it, and whichever gets there first moves a job, once.
 */
final class DueJobs {
  /** Jobs moved per call; a full call is followed by another at once. */
  static final int MOVE_AT_MOST = 1000;

  // ARGV[1]: the scheduled set, ARGV[2]: record key prefix, ARGV[3]: stream name prefix, ARGV[4]: now (epoch millis),
  // ARGV[5]: the most to move, ARGV[6]: the console's index prefix (JobIndex), ARGV[7]: client index prefix, ARGV[8]:
  // jobs kept per client index, ARGV[9]: record TTL in seconds. The batch JSON is built from the record (ids and types
  // are plain names; the payload is JSON already), with the due time as its send time. A moved job enters the
  // console's indexes (all jobs, its type's and its client's, by creation time; queued, by now), each written with one
  // ZADD per index for the whole call. A job whose record is gone (expired, or canceled) is dropped. Replies with the
  // number of ids taken from the set.
  private static final String LUA = String.join("\n",
      "local due = redis.call('ZRANGEBYSCORE', ARGV[1], '-inf', ARGV[4], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[5]))",
      "if #due == 0 then return 0 end",
      "local now, recP, idxP = ARGV[4], ARGV[2], ARGV[6]",
      "local texts, queues, indexed, indexes = {}, {}, {}, {}",
      "local function add(index, score, id)",
      "  local m = indexed[index]",
      "  if not m then m = {}; indexed[index] = m; indexes[#indexes + 1] = index end",
      "  m[#m + 1] = score",
      "  m[#m + 1] = id",
      "end",
      "local clients = {}",
      "local ids = {}",
      "for k = 1, #due, 2 do",
      "  local id = due[k]",
      "  ids[#ids + 1] = id",
      "  local record = recP .. id",
      "  local r = redis.call('HMGET', record, 'type', 'payload', 'status', 'priority', 'client', 'createdAt')",
      "  if r[1] and r[2] and r[3] == 'scheduled' then",
      // The queue of its type at its priority (the normal one is the type's own stream).
      "    local q = r[4] and (r[1] .. ':' .. r[4]) or r[1]",
      "    if not texts[q] then texts[q], queues[#queues + 1] = {}, q end",
      "    local t = texts[q]",
      "    t[#t + 1] = '{\"key\":\"' .. id .. '\",\"type\":\"' .. r[1] .. '\",\"sentAt\":' .. due[k + 1]",
      "      .. ',\"payload\":' .. r[2] .. ',\"tracked\":true,\"ids\":[\"' .. id .. '\"]}'",
      "    redis.call('HSET', record, 'status', 'queued', 'ev:' .. now .. ':queued', 'due')",
      "    local created = r[6] or now",
      "    add(idxP .. 'state:queued', now, id)",
      "    add(idxP .. 'all', created, id)",
      "    add(idxP .. 'type:' .. r[1], created, id)",
      "    if r[5] then",
      "      local index = ARGV[7] .. r[5]",
      "      if not indexed[index] then clients[#clients + 1] = index end",
      "      add(index, created, id)",
      "    end",
      "  end",
      "end",
      "for _, q in ipairs(queues) do",
      "  redis.call('XADD', ARGV[3] .. q, '*', 'jobs', '[' .. table.concat(texts[q], ',') .. ']')",
      "end",
      "for _, index in ipairs(indexes) do",
      "  local m = indexed[index]",
      "  for s = 1, #m, 1000 do redis.call('ZADD', index, unpack(m, s, math.min(s + 999, #m))) end",
      "end",
      "for _, index in ipairs(clients) do",
      "  redis.call('ZREMRANGEBYRANK', index, 0, -tonumber(ARGV[8]) - 1)",
      "  redis.call('EXPIRE', index, ARGV[9])",
      "end",
      "redis.call('ZREM', ARGV[1], unpack(ids))",
      "return #ids");

  private final Redis redis;
  private final StreamKeys keys;
  private final Duration recordTtl;
  private String sha;

  DueJobs(Redis redis, StreamKeys keys, Duration recordTtl) {
    this.redis = redis;
    this.keys = keys;
    this.recordTtl = recordTtl;
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
        .arg(now).arg(MOVE_AT_MOST).arg(keys.indexPrefix()).arg(keys.clientJobs("")).arg(JobRecords.KEPT_PER_CLIENT)
        .arg(Math.max(1, recordTtl.toSeconds()));
  }
}
