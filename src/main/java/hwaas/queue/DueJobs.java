package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import java.time.Duration;
import java.util.List;

/**
 * Moves delayed API jobs whose time has come from the scheduled set to their streams. One Lua script takes the due
 * ids, appends the jobs (one entry per queue), indexes them for the console and removes them from the set,
 * atomically: every node runs it, and whichever gets there first moves a job, once. The records are left as they are:
 * a record that says {@code scheduled} and whose time has come reads as queued (JobRecords.dueNow).
 */
final class DueJobs {
  /** Jobs moved per call; a call that moved any is followed by another at once (QueueVerticle). */
  static final int MOVE_AT_MOST = 1000;

  // ARGV[1]: the scheduled set, ARGV[2]: record key prefix, ARGV[3]: stream name prefix, ARGV[4]: now (epoch millis),
  // ARGV[5]: the most to move, ARGV[6]: the console's index prefix (JobIndex), ARGV[7]: client index prefix, ARGV[8]:
  // jobs kept per client index, ARGV[9]: record TTL in seconds. The entry JSON is built from the record (ids and types
  // are plain names; the payload is JSON already), with the due time as its send time, 50 jobs to an entry (Redis's Lua joins
  // 50 strings of a job each far faster than 1000: 2.5 ms instead of 6 per call of 1000 here). A moved
  // job enters the console's indexes (its type's, its client's and the queued ones) with the time it fell due
  // (by its creation time it could sit behind the indexes' age cutoff: a delay beyond --record-ttl), each written with
  // one ZADD per index for the whole call, of one list of (time, id) pairs shared by the indexes that take every job of
  // the call. Its record is not written: that write was a quarter of the script's Redis time (a due job cost 23 to 25
  // µs of it with the append-only file, 17 now). The due jobs are the first of the set by score, so they leave it by
  // rank, without a lookup of each id. A job whose record is gone (expired) or no longer scheduled (canceled) is
  // dropped. Replies {ids taken from the set, when the soonest job left in it is due ('-1': none; '0' after a move)}.
  private static final LuaScript MOVE = new LuaScript(ScriptFlags.ALLOW_OOM,
      "local due = redis.call('ZRANGEBYSCORE', ARGV[1], '-inf', ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))",
      "if #due == 0 then",
      "  local soonest = redis.call('ZRANGE', ARGV[1], 0, 0, 'WITHSCORES')",
      "  return {0, soonest[2] or '-1'}",
      "end",
      "local now, recP, idxP, clientP = ARGV[4], ARGV[2], ARGV[6], ARGV[7]",
      "local texts, queues = {}, {}",
      // all: (time, id) pairs of every job moved; byType and byClient: where their jobs' pairs start in it.
      "local all, byType, byClient = {}, {}, {}",
      "for _, id in ipairs(due) do",
      "  local r = redis.call('HMGET', recP .. id, 'type', 'payload', 'status', 'priority', 'client', 'runAt')",
      "  if r[1] and r[2] and r[3] == 'scheduled' then",
      // The queue of its type at its priority (the normal one is the type's own stream).
      "    local q = r[4] and (r[1] .. ':' .. r[4]) or r[1]",
      "    local t = texts[q]",
      "    if not t then t = {}; texts[q] = t; queues[#queues + 1] = q end",
      "    t[#t + 1] = '{\"key\":\"' .. id .. '\",\"type\":\"' .. r[1] .. '\",\"sentAt\":' .. (r[6] or now)",
      "      .. ',\"payload\":' .. r[2] .. ',\"tracked\":true,\"ids\":[\"' .. id .. '\"]}'",
      "    local n = #all",
      "    all[n + 1] = now",
      "    all[n + 2] = id",
      "    local m = byType[r[1]]",
      "    if not m then m = {}; byType[r[1]] = m end",
      "    m[#m + 1] = n + 1",
      "    if r[5] then",
      "      m = byClient[r[5]]",
      "      if not m then m = {}; byClient[r[5]] = m end",
      "      m[#m + 1] = n + 1",
      "    end",
      "  end",
      "end",
      "for _, q in ipairs(queues) do",
      "  local t = texts[q]",
      "  for s = 1, #t, 50 do",
      "    redis.call('XADD', ARGV[3] .. q, '*', 'jobs', '[' .. table.concat(t, ',', s, math.min(s + 49, #t)) .. ']')",
      "  end",
      "end",
      "local function zadd(index, m)",
      "  for s = 1, #m, 1000 do redis.call('ZADD', index, unpack(m, s, math.min(s + 999, #m))) end",
      "end",
      // The pairs of the jobs at these places in all: all itself when they are every job of the call.
      "local function pairsAt(at)",
      "  if #at * 2 == #all then return all end",
      "  local m = {}",
      "  for _, i in ipairs(at) do m[#m + 1] = all[i]; m[#m + 1] = all[i + 1] end",
      "  return m",
      "end",
      "if #all > 0 then zadd(idxP .. 'state:queued', all) end",
      "for t, at in pairs(byType) do",
      "  zadd(idxP .. 'type:' .. t, pairsAt(at))",
      "  redis.call('SADD', idxP .. 'types', t)",
      "end",
      "for c, at in pairs(byClient) do",
      "  local index = clientP .. c",
      "  zadd(index, pairsAt(at))",
      "  redis.call('ZREMRANGEBYRANK', index, 0, -tonumber(ARGV[8]) - 1)",
      "  redis.call('EXPIRE', index, ARGV[9])",
      "end",
      "redis.call('ZREMRANGEBYRANK', ARGV[1], 0, #due - 1)",
      "return {#due, '0'}");

  private final Redis redis;
  private final StreamKeys keys;
  private final Duration recordTtl;

  DueJobs(Redis redis, StreamKeys keys, Duration recordTtl) {
    this.redis = redis;
    this.keys = keys;
    this.recordTtl = recordTtl;
  }

  /**
   * What a call did.
   *
   * @param moved     how many ids it took from the scheduled set
   * @param soonestAt when it moved none: when the soonest job left is due (epoch millis), or -1 if none is scheduled
   */
  record Move(int moved, long soonestAt) {
  }

  /** Moves up to {@link #MOVE_AT_MOST} jobs due by now. */
  Future<Move> moveDue() {
    return MOVE.run(redis, keys.service(), List.of(keys.scheduled(), keys.record(""), keys.streamPrefix(), System.currentTimeMillis(),
            MOVE_AT_MOST, keys.indexPrefix(), keys.clientJobs(""), JobRecords.KEPT_PER_CLIENT,
            Math.max(1, recordTtl.toSeconds())))
        .map(reply -> new Move(reply.get(0).toInteger(), (long) Double.parseDouble(reply.get(1).toString())));
  }
}
