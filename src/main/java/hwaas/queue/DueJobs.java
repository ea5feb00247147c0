package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import java.time.Duration;
import java.util.List;

/**
 * Moves delayed API jobs whose time has come to their streams. One Lua script takes the due jobs, appends them (one
 * entry per queue) and indexes them for the console, atomically: every node runs it, and whichever gets there first
 * moves a job, once. A moved job stays in the scheduled set, which is its index of the queued state until a worker
 * starts it (JobCancel's start script takes it out): the set's entries up to the mover's mark
 * ({@link StreamKeys#scheduledMoved()}) are moved, those after it wait. The records are left as they are: a record that
 * says {@code scheduled} and whose time has come reads as queued (JobRecords.dueNow).
 */
final class DueJobs {
  /** Jobs moved per call; a call that moved any is followed by another at once (QueueVerticle). */
  static final int MOVE_AT_MOST = 1000;

  // ARGV[1]: the scheduled set (its mark: the set's name and ':moved'), ARGV[2]: record key prefix, ARGV[3]: stream
  // name prefix, ARGV[4]: now (epoch millis), ARGV[5]: the most to move, ARGV[6]: the console's index prefix
  // (JobIndex), ARGV[7]: client index prefix, ARGV[8]: jobs kept per client index, ARGV[9]: record TTL in seconds.
  // The entry JSON is built from the record (ids and types are plain names; the payload is JSON already), with the due
  // time as its send time, 50 jobs to an entry (Redis's Lua joins 50 strings of a job each far faster than 1000: 2.5
  // ms instead of 6 per call of 1000 here). A moved job enters its type's and its client's indexes with the time it
  // fell due (by its creation time it could sit behind the indexes' age cutoff: a delay beyond --record-ttl), each
  // written with one ZADD per index for the whole call; for the queued state, the scheduled set itself serves: the
  // insert into the queued index was the largest part of a call after the record reads (2.7 of 19 ms per 1000 jobs).
  // Its record is not written either (that write was a quarter of the script's Redis time). The mark moves by whole
  // milliseconds, so that "at or before the mark" is exact; a millisecond with more due jobs than a call moves is
  // moved the way it was before the mark: 1000 at a time out of the set and into the queued index. A job whose record
  // is gone (expired) or no longer scheduled is dropped from the set. Replies {jobs moved, when the soonest job still
  // waiting is due ('-1': none; '0' after a move)}.
  private static final LuaScript MOVE = new LuaScript(ScriptFlags.ALLOW_OOM,
      "local set, mark, limit = ARGV[1], ARGV[1] .. ':moved', tonumber(ARGV[5])",
      "local moved = redis.call('GET', mark) or '0'",
      "local found = redis.call('ZRANGEBYSCORE', set, '(' .. moved, ARGV[4], 'WITHSCORES', 'LIMIT', 0, limit + 1)",
      "if #found == 0 then",
      "  local soonest = redis.call('ZRANGEBYSCORE', set, '(' .. moved, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)",
      "  return {0, soonest[2] or '-1'}",
      "end",
      // Which jobs move, and the mark after them. They stay in the set, as its entries up to the mark, unless a
      // millisecond's jobs straddle the call's limit: then those before that millisecond move; and if none are, the
      // first jobs of that millisecond leave the set and enter the queued index instead, the mark unchanged.
      "local due, keep, newMark = {}, true, ARGV[4]",
      "if #found <= 2 * limit then",
      "  for i = 1, #found, 2 do due[#due + 1] = found[i] end",
      "else",
      "  local edge = tonumber(found[2 * limit])",
      "  local straddles = tonumber(found[2 * limit + 2]) == edge",
      "  for i = 1, 2 * limit, 2 do",
      "    if not straddles or tonumber(found[i + 1]) < edge then due[#due + 1] = found[i]; newMark = found[i + 1] end",
      "  end",
      "  if #due == 0 then",
      "    keep = false",
      "    for i = 1, 2 * limit, 2 do due[#due + 1] = found[i] end",
      "  end",
      "end",
      "local now, recP, idxP, clientP = ARGV[4], ARGV[2], ARGV[6], ARGV[7]",
      "local dropped = {}",
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
      "  else dropped[#dropped + 1] = id end",
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
      "if #all > 0 and not keep then zadd(idxP .. 'state:queued', all) end",
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
      "if keep then",
      "  redis.call('SET', mark, newMark)",
      "  if #dropped > 0 then redis.call('ZREM', set, unpack(dropped)) end",
      "else",
      // They are the set's first entries after the mark: out by rank, without a lookup of each.
      "  local from = redis.call('ZCOUNT', set, '-inf', moved)",
      "  redis.call('ZREMRANGEBYRANK', set, from, from + #due - 1)",
      "end",
      // Entries up to the mark whose record is gone by now (queued longer than --record-ttl): no worker will take
      // them out.
      "local stale = math.min(tonumber(moved), tonumber(now) - 1000 * tonumber(ARGV[9]))",
      "redis.call('ZREMRANGEBYSCORE', set, '-inf', '(' .. string.format('%d', stale))",
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
