package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * Dead letters by filter: counted, listed, requeued or deleted, the stream walked {@link #CHUNK} entries per script
 * call, each call atomic and short (Redis serves others in between), chained without blocking any thread: 100,000
 * dead letters take a couple of hundred calls.
 */
public final class DeadBulk {
  /** Dead letters one script call looks at. */
  static final int CHUNK = 500;

  /** What to do with the dead letters that match. */
  public enum Action { COUNT, LIST, REQUEUE, DELETE }

  /**
   * @param type     the job type, or empty for any
   * @param q        a job id prefix or a piece of the error, or empty for any
   * @param client   the client of an API job (read from its record), or empty for any
   */
  public record Filter(String type, String q, String client) {
    boolean any() {
      return type.isEmpty() && q.isEmpty() && client.isEmpty();
    }
  }

  // ARGV: 1 dead stream, 2 start (exclusive id, or '-'), 3 count, 4 action, 5 type, 6 q, 7 client, 8 work stream
  // prefix, 9 counters prefix, 10 record prefix, 11 index prefix, 12 now (millis), 13 record TTL (s), 14 the most to
  // list. A requeued job goes back with fresh attempts (as DeadLetters.requeue), the jobs of one call and type in one
  // new entry (a batch of one job each); an unreadable dead letter (no job) matches only COUNT, LIST and DELETE.
  // Replies {matched, last id looked at ('' at the end), listed...}.
  private static final LuaScript CHUNK_SCRIPT = new LuaScript(JobRecords.REQUEUED_RECORD_LUA,
      "local entries = redis.call('XRANGE', ARGV[1], ARGV[2], '+', 'COUNT', tonumber(ARGV[3]))",
      "local action, out, matched, last = ARGV[4], {}, 0, ''",
      "local gone, enqueued, grouped = {}, {}, {}",
      "for _, e in ipairs(entries) do",
      "  last = e[1]",
      "  local f, job, jobType, err = e[2], nil, nil, ''",
      "  for i = 1, #f, 2 do",
      "    if f[i] == 'job' then job = f[i + 1] elseif f[i] == 'type' then jobType = f[i + 1]",
      "    elseif f[i] == 'error' then err = f[i + 1] end",
      "  end",
      "  local id = job and string.match(job, '\"id\":\"([^\"]*)\"')",
      "  local ok = ARGV[5] == '' or jobType == ARGV[5]",
      "  if ok and ARGV[6] ~= '' then",
      "    ok = (id ~= nil and string.sub(id, 1, #ARGV[6]) == ARGV[6]) or string.find(err, ARGV[6], 1, true) ~= nil",
      "  end",
      "  if ok and ARGV[7] ~= '' then",
      "    ok = id ~= nil and redis.call('HGET', ARGV[10] .. id, 'client') == ARGV[7]",
      "  end",
      "  if ok and action == 'REQUEUE' and not (job and jobType) then ok = false end",
      "  if ok then",
      "    matched = matched + 1",
      "    if action == 'LIST' then",
      "      out[#out + 1] = {e[1], f}",
      "      if matched >= tonumber(ARGV[14]) then break end",
      "    elseif action == 'REQUEUE' then",
      // A job written by Job.toJson ({"id":...,}) joins its type's one entry of this call as a batch of one; any
      // other goes back as it is, an entry of its own.
      "      local head = id and ('{\"id\":\"' .. id .. '\"')",
      "      if head and string.sub(job, 1, #head) == head and string.sub(job, -1) == '}' then",
      "        local list = grouped[jobType] or {}",
      "        grouped[jobType] = list",
      "        list[#list + 1] = '{\"key\":\"requeued:' .. id .. '\"' .. string.sub(job, #head + 1, -2) .. ',\"ids\":[\"' .. id .. '\"]}'",
      "      else redis.call('XADD', ARGV[8] .. jobType, '*', 'job', job) end",
      "      enqueued[jobType] = (enqueued[jobType] or 0) + 1",
      "      gone[#gone + 1] = e[1]",
      "      requeuedRecord(ARGV[10], ARGV[11], ARGV[12], ARGV[13], id, job)",
      "    elseif action == 'DELETE' then",
      "      gone[#gone + 1] = e[1]",
      "    end",
      "  end",
      "end",
      // One XDEL and one count per type for the chunk, not one per letter.
      "for s = 1, #gone, 1000 do redis.call('XDEL', ARGV[1], unpack(gone, s, math.min(s + 999, #gone))) end",
      "for t, n in pairs(enqueued) do redis.call('HINCRBY', ARGV[9] .. t, 'enqueued', n) end",
      "for t, list in pairs(grouped) do redis.call('XADD', ARGV[8] .. t, '*', 'jobs', '[' .. table.concat(list, ',') .. ']') end",
      "if #entries < tonumber(ARGV[3]) and (action ~= 'LIST' or matched < tonumber(ARGV[14])) then last = '' end",
      "local reply = {matched, last}",
      "for _, o in ipairs(out) do reply[#reply + 1] = o end",
      "return reply");

  /**
   * Letters one call deletes, at most, when all are to go: whole nodes of the stream are dropped ({@code XTRIM MINID ~
   * ... LIMIT}), which frees them without reading them.
   */
  static final int TRIMMED_PER_CALL = 10_000;
  // ARGV: 1 dead stream, 2 the newest letter to delete ('' on the first call: the newest now), 3 most to drop. Replies
  // {dropped, that newest letter's id ('' when done)}; a letter that arrives meanwhile is newer, so it stays.
  private static final LuaScript TRIM_ALL = new LuaScript(
      "local upto = ARGV[2]",
      "if upto == '' then",
      "  local newest = redis.call('XREVRANGE', ARGV[1], '+', '-', 'COUNT', 1)",
      "  if #newest == 0 then return {0, ''} end",
      "  upto = newest[1][1]",
      "end",
      "local ms, seq = string.match(upto, '(%d+)-(%d+)')",
      "local minid = ms .. '-' .. string.format('%d', tonumber(seq) + 1)",
      "local n = redis.call('XTRIM', ARGV[1], 'MINID', '~', minid, 'LIMIT', tonumber(ARGV[3]))",
      "if n == 0 then return {redis.call('XTRIM', ARGV[1], 'MINID', minid), ''} end",
      "return {n, upto}");

  private final Redis redis;
  private final StreamKeys keys;
  private final long recordTtlSeconds;

  public DeadBulk(Redis redis, StreamKeys keys, java.time.Duration recordTtl) {
    this.redis = redis;
    this.keys = keys;
    this.recordTtlSeconds = Math.max(1, recordTtl.toSeconds());
  }

  /**
   * Applies the action to every dead letter that matches, oldest first; answers how many matched. Without a filter a
   * count is the stream's length and a delete drops whole stream nodes ({@link #TRIMMED_PER_CALL} letters a call).
   */
  public Future<Long> apply(Action action, Filter filter) {
    if (action == Action.LIST) {
      throw new IllegalArgumentException("use list() to list");
    }
    if (filter.any() && action == Action.COUNT) {
      return redis.send(Request.cmd(Command.XLEN).arg(keys.dead()))
          .map(Response::toLong);
    }
    return action == Action.DELETE && filter.any() ? trimAll("", 0) : walk(action, filter, "-", 0);
  }

  private Future<Long> trimAll(String upto, long sofar) {
    return TRIM_ALL.run(redis, keys.service(), List.of(keys.dead(), upto, TRIMMED_PER_CALL)).compose(reply -> {
      long total = sofar + reply.get(0).toLong();
      String next = reply.get(1).toString();
      return next.isEmpty() ? Future.succeededFuture(total) : trimAll(next, total);
    });
  }

  private Future<Long> walk(Action action, Filter filter, String after, long sofar) {
    return chunk(action, filter, after, CHUNK, 0).compose(reply -> {
      long total = sofar + reply.get(0).toLong();
      String last = reply.get(1).toString();
      return last.isEmpty() ? Future.succeededFuture(total) : walk(action, filter, "(" + last, total);
    });
  }

  /** A page of matching dead letters after {@code afterId} ({@code null}: from the oldest); next is null at the end. */
  public Future<DeadLetters.Page> list(Filter filter, String afterId, int limit) {
    return listFrom(filter, afterId == null ? "-" : "(" + afterId, limit, new ArrayList<>());
  }

  /** As {@link #list}, from {@code start}: {@code -}, an entry id (inclusive) or {@code (} and one (exclusive). */
  Future<DeadLetters.Page> listFrom(Filter filter, String start, int limit) {
    return listFrom(filter, start, limit, new ArrayList<>());
  }

  private Future<DeadLetters.Page> listFrom(Filter filter, String after, int limit, List<JsonObject> found) {
    // Without a filter every entry matches: one call reads the page; with one, chunks are walked until it is full.
    int count = filter.any() ? limit - found.size() : CHUNK;
    return chunk(Action.LIST, filter, after, count, limit - found.size()).compose(reply -> {
      for (int i = 2; i < reply.size(); i++) {
        found.add(DeadLetters.letter(reply.get(i)));
      }
      String last = reply.get(1).toString();
      if (found.size() >= limit) {
        String next = found.get(limit - 1).getString("deadId");
        return Future.succeededFuture(new DeadLetters.Page(found.subList(0, limit), last.isEmpty() ? null : next));
      }
      return last.isEmpty() ? Future.succeededFuture(new DeadLetters.Page(found, null))
          : listFrom(filter, "(" + last, limit, found);
    });
  }

  private Future<Response> chunk(Action action, Filter filter, String after, int count, int listAtMost) {
    return CHUNK_SCRIPT.run(redis, keys.service(), List.of(keys.dead(), after, count, action.name(), filter.type(), filter.q(),
        filter.client(), keys.streamPrefix(), keys.counters(""), keys.record(""), keys.indexPrefix(),
        System.currentTimeMillis(), recordTtlSeconds, Math.max(1, listAtMost)));
  }
}
