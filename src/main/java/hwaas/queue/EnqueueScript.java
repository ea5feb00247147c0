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
 * submission whose reply it never received. The status records of API jobs are written in the same script, before
 * their entry exists for any worker: a worker's "running" can never be overwritten by a late "queued", and a 202
 * means both are in Redis.
 */
final class EnqueueScript {
  // ARGV[1]: stream name prefix, ARGV[2]: idempotency key prefix, ARGV[3]: counters key prefix, ARGV[4]: the most
  // jobs of one type that may wait or run (the backlog), ARGV[5]: record key prefix, ARGV[6]: client index prefix,
  // ARGV[7]: record TTL in seconds, ARGV[8]: jobs kept per client index, ARGV[9]: the delayed jobs' sorted set,
  // ARGV[10]: the console's index prefix (JobIndex), ARGV[11]: the clients' sorted set, ARGV[12]: entries kept per
  // index, ARGV[13]: the states whose indexes are trimmed here, space-separated (every such index is trimmed here, the one place that writes often); then
  // per batch: key, job type, key TTL in seconds (0: a batch that is never resent keeps no key), jobs, batch JSON,
  // group, client ('' for a batch without records), created-at millis, payload JSON, due millis (0: now; else the
  // job waits in the sorted set, its record 'scheduled', and its id answers SCHEDULED), the priority's stream suffix
  // ('' for normal), and when there is a client, the batch's job ids. Each type's new batches go into one entry of its stream, as a JSON
  // array in the field 'jobs', and count as enqueued; a type whose backlog (enqueued - processed - dead) is at the
  // limit takes none of them, and a group (one submission) with a batch refused so is refused whole.
  // Replies with the entry id of every batch, in order, or BACKLOG for a batch refused so.
  private static final String LUA = String.join("\n",
      // at[n]: where batch n's arguments start (no table per batch: Lua's allocations cost more than the work).
      "local at, ids, first, fresh, types, counts, full, refused = {}, {}, {}, {}, {}, {}, {}, {}",
      "local i, n = 14, 0",
      "local argc = #ARGV",
      "while i <= argc do",
      "  n = n + 1",
      "  at[n] = i",
      "  i = i + 11 + (ARGV[i + 6] ~= '' and tonumber(ARGV[i + 3]) or 0)",
      "end",
      "for n = 1, #at do",
      "  local a = at[n]",
      "  local key, t = ARGV[a], ARGV[a + 1]",
      "  ids[n] = first[key] or (ARGV[a + 2] ~= '0' and redis.call('GET', ARGV[2] .. key))",
      "  if not ids[n] then",
      "    first[key] = n",
      "    fresh[#fresh + 1] = n",
      "    if not counts[t] then counts[t], types[#types + 1] = 0, t end",
      "  end",
      "end",
      "for _, t in ipairs(types) do",
      "  local c = redis.call('HMGET', ARGV[3] .. t, 'enqueued', 'processed', 'dead')",
      "  full[t] = (tonumber(c[1]) or 0) - (tonumber(c[2]) or 0) - (tonumber(c[3]) or 0) >= tonumber(ARGV[4])",
      "end",
      "for _, n in ipairs(fresh) do",
      "  if full[ARGV[at[n] + 1]] then refused[ARGV[at[n] + 5]] = true end",
      "end",
      // texts[q]: the batches for queue q (the type's stream of their priority).
      "local texts, queues = {}, {}",
      "for _, n in ipairs(fresh) do",
      "  local a = at[n]",
      "  local t = ARGV[a + 1]",
      "  if refused[ARGV[a + 5]] then ids[n] = 'BACKLOG' else",
      "    if ARGV[a + 9] == '0' then",
      "      local q = t .. ARGV[a + 10]",
      "      local list = texts[q]",
      "      if not list then list = {}; texts[q] = list; queues[#queues + 1] = q end",
      "      list[#list + 1] = ARGV[a + 4]",
      "    end",
      "    counts[t] = counts[t] + tonumber(ARGV[a + 3])",
      "  end",
      "end",
      "local entry = {}",
      "for _, q in ipairs(queues) do",
      "  entry[q] = redis.call('XADD', ARGV[1] .. q, '*', 'jobs', '[' .. table.concat(texts[q], ',') .. ']')",
      "end",
      "for _, t in ipairs(types) do",
      "  if counts[t] > 0 then redis.call('HINCRBY', ARGV[3] .. t, 'enqueued', counts[t]) end",
      "end",
      "local members, lastSeen, scheduled, recordTtl, indexed, now = {}, {}, {}, tonumber(ARGV[7]), {}, nil",
      "local recorded = {}",
      // A delayed job due at or before the mover's mark would read as moved: it waits just after the mark instead (the
      // mover takes it at its next call), its record keeping the time asked for.
      "local mark = tonumber(redis.call('GET', ARGV[9] .. ':moved') or '0')",
      "local function add(list, score, id)",
      "  list = list or {}",
      "  list[#list + 1] = score",
      "  list[#list + 1] = id",
      "  return list",
      "end",
      "for _, n in ipairs(fresh) do",
      "  local a = at[n]",
      "  if not refused[ARGV[a + 5]] then",
      "    local t, client, due, suffix = ARGV[a + 1], ARGV[a + 6], ARGV[a + 9], ARGV[a + 10]",
      "    ids[n] = due == '0' and entry[t .. suffix] or 'SCHEDULED'",
      "    if ARGV[a + 2] ~= '0' then redis.call('SET', ARGV[2] .. ARGV[a], ids[n], 'EX', ARGV[a + 2]) end",
      "    if client ~= '' then",
      "      recorded[t] = true",
      "      local payload, createdAt = ARGV[a + 8], ARGV[a + 7]",
      "      lastSeen[client], now = createdAt, createdAt",
      "      local m = members[client]",
      "      if not m and due == '0' then m = {}; members[client] = m end",
      "      for k = a + 11, a + 10 + tonumber(ARGV[a + 3]) do",
      "        local id = ARGV[k]",
      "        local record = ARGV[5] .. id",
      // The record's key names the job: no id field (nor attempts until the first), bytes that a million records feel.
      "        if due == '0' then",
      "          redis.call('HSET', record, 'type', t, 'client', client, 'status', 'queued',",
      "            'payload', payload, 'createdAt', createdAt, 'ev:' .. createdAt .. ':queued', '')",
      "          redis.call('EXPIRE', record, recordTtl)",
      "          m[#m + 1] = createdAt",
      "          m[#m + 1] = id",
      "          indexed[ARGV[10] .. 'type:' .. t] = add(indexed[ARGV[10] .. 'type:' .. t], createdAt, id)",
      "          indexed[ARGV[10] .. 'state:queued'] = add(indexed[ARGV[10] .. 'state:queued'], createdAt, id)",
      "        else",
      // A delayed job: its record holds what the mover needs, and lives until it is due, then as any other. The
      // scheduled set is its only index until then (the console's state index of scheduled jobs); the mover indexes
      // it like any other job when it falls due.
      "          redis.call('HSET', record, 'type', t, 'client', client, 'status', 'scheduled',",
      "            'payload', payload, 'createdAt', createdAt, 'runAt', due, 'ev:' .. createdAt .. ':scheduled', '')",
      "          redis.call('EXPIRE', record, recordTtl + math.ceil((tonumber(due) - tonumber(createdAt)) / 1000))",
      "          add(scheduled, tonumber(due) > mark and due or string.format('%d', mark + 1), id)",
      "        end",
      "        if suffix ~= '' then redis.call('HSET', record, 'priority', string.sub(suffix, 2)) end",
      "      end",
      "    end",
      "  end",
      "end",
      "for client, m in pairs(members) do",
      "  local index = ARGV[6] .. client",
      // ZADD in slices: unpack() has a limit of a few thousand values.
      "  for s = 1, #m, 1000 do redis.call('ZADD', index, unpack(m, s, math.min(s + 999, #m))) end",
      "  redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. (tonumber(m[#m - 1]) - recordTtl * 1000))",
      "  redis.call('ZREMRANGEBYRANK', index, 0, -tonumber(ARGV[8]) - 1)",
      "  redis.call('EXPIRE', index, recordTtl)",
      "end",
      "for client, at in pairs(lastSeen) do redis.call('ZADD', ARGV[11], at, client) end",
      // The types with an index: a listing of all jobs merges theirs (JobIndex.types).
      "for t in pairs(recorded) do redis.call('SADD', ARGV[10] .. 'types', t) end",
      "for s = 1, #scheduled, 1000 do redis.call('ZADD', ARGV[9], unpack(scheduled, s, math.min(s + 999, #scheduled))) end",
      // The console's indexes: new entries, then what is older than the records' TTL or beyond the cap goes.
      "if now then",
      "  local cutoff = '(' .. (tonumber(now) - recordTtl * 1000)",
      "  for s in string.gmatch(ARGV[13], '%S+') do",
      "    indexed[ARGV[10] .. 'state:' .. s] = indexed[ARGV[10] .. 'state:' .. s] or {}",
      "  end",
      "  for index, m in pairs(indexed) do",
      "    for s = 1, #m, 1000 do redis.call('ZADD', index, unpack(m, s, math.min(s + 999, #m))) end",
      "    redis.call('ZREMRANGEBYSCORE', index, '-inf', cutoff)",
      "    redis.call('ZREMRANGEBYRANK', index, 0, -tonumber(ARGV[12]) - 1)",
      "  end",
      "  redis.call('ZREMRANGEBYSCORE', ARGV[11], '-inf', cutoff)",
      "end",
      // A key sent twice in one call: the later copy takes the entry id the first one got.
      "for n = 1, #at do",
      "  if type(ids[n]) == 'number' then ids[n] = ids[ids[n]] end",
      "end",
      "return ids");
  private static final String STATE_NAMES = String.join(" ", JobIndex.TRIMMED_STATES);
  /** The reply for a batch refused because its type's backlog is full. */
  static final String BACKLOG = "BACKLOG";
  /** The reply for a delayed batch: it waits in the scheduled set, not in a stream. */
  static final String SCHEDULED = "SCHEDULED";

  private final Redis redis;
  private final ReplicaWait writes;
  private final StreamKeys keys;
  private final long maxBacklog;
  private final Duration recordTtl;
  private String sha;

  /**
   * One batch to write: its key, its type and its JSON text, written as it is.
   *
   * @param keyTtl how long the key is remembered, making a resend harmless; zero for a batch nobody resends
   * @param group  the submission the batch belongs to: a group is written whole or refused whole
   * @param record the status records to write for its jobs, or {@code null} for a batch that keeps none
   */
  record Write(String key, String type, Duration keyTtl, int jobs, String json, int group, Records record) {
  }

  /**
   * The records of a batch's jobs: who submitted them, when, their payload and their ids.
   *
   * @param dueAt when a delayed batch is due (epoch millis), 0 for now
   */
  record Records(String client, long createdAt, String payload, List<String> ids, long dueAt, Priority priority) {
  }

  /** @param writes where the writes go, in order, each confirmed by that many replicas; {@code redis} loads the script */
  EnqueueScript(Redis redis, PipelinedConnection writes, int replicas, StreamKeys keys, long maxBacklog, Duration recordTtl) {
    this.redis = redis;
    this.writes = new ReplicaWait(writes, replicas);
    this.keys = keys;
    this.maxBacklog = maxBacklog;
    this.recordTtl = recordTtl;
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
    return writes.send(request(Command.EVALSHA, sha, batches))
        .recover(err -> isNoScript(err)
            // Redis restarted and lost its script cache: EVAL also caches it again.
            ? writes.send(request(Command.EVAL, LUA, batches))
            : Future.failedFuture(err))
        .map(EnqueueScript::entryIds);
  }

  private Request request(Command command, String script, List<Write> batches) {
    Request req = Request.cmd(command).arg(script).arg(1).arg(keys.service()).arg(keys.streamPrefix()).arg(keys.idempotencyPrefix())
        .arg(keys.counters("")).arg(maxBacklog).arg(keys.record("")).arg(keys.clientJobs(""))
        .arg(Math.max(1, recordTtl.toSeconds())).arg(JobRecords.KEPT_PER_CLIENT).arg(keys.scheduled())
        .arg(keys.indexPrefix()).arg(keys.clients()).arg(JobIndex.KEPT_PER_INDEX).arg(STATE_NAMES);
    for (Write batch : batches) {
      long keySeconds = batch.keyTtl().isZero() ? 0 : Math.max(1, batch.keyTtl().toSeconds());
      req.arg(batch.key()).arg(batch.type()).arg(keySeconds).arg(batch.jobs())
          .arg(batch.json()).arg(batch.group());
      Records record = batch.record();
      if (record == null) {
        req.arg("").arg(0).arg("").arg(0).arg("");
      } else {
        req.arg(record.client()).arg(record.createdAt()).arg(record.payload()).arg(record.dueAt()).arg(record.priority().suffix());
        record.ids().forEach(req::arg);
      }
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
