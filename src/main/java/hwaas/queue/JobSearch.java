package hwaas.queue;

import hwaas.queue.PartitionPages.Found;
import hwaas.queue.PartitionPages.Part;
import hwaas.queue.PartitionPages.Position;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Lists API jobs page by page from the console's indexes ({@link JobIndex}), never by scanning records: in each
 * partition, one script walks the most selective index (state, else client, else type; else every type's index, merged
 * in order) from the cursor and checks the other filters on each record, until the page is full or
 * {@link #EXAMINED_AT_MOST} entries were looked at; the partitions' pages are merged by (score, id)
 * ({@link PartitionPages}). The cursor is a position, a (score, id); the next page starts right after that pair in
 * every partition, so jobs that arrive meanwhile (at the new end) neither repeat nor push any job out of a page.
 */
public final class JobSearch {
  /** Index entries one request looks at, at most: a page of a rare filter may come back short, with a cursor. */
  public static final int EXAMINED_AT_MOST = 5000;

  // ARGV: 1 index ('': the index of every type, merged), 2 'desc'|'asc', 3 lowest score, 4 highest score, 5 cursor
  // score ('' on the first page), 6 cursor id, 7 limit, 8 entries to examine at most, 9 record prefix, 10 state, 11 type,
  // 12 client, 13 id prefix ('': any), 14 now (millis): a scheduled job that is due is queued (JobRecords.dueNow),
  // 15 the set of types with an index (JobIndex.types), 16 the type indexes' prefix, 17 'scheduled' or 'queued' for a
  // listing by one of those states ('' otherwise), 18 the scheduled set. The scheduled state is the scheduled set after
  // the mover's mark (DueJobs); the queued state is the queued index and the scheduled set up to the mark, merged.
  // Replies {next cursor ('' at the end), id, score, record, id, score, record, ...}, each score as Redis wrote it
  // (for a cursor) and each record a flat HGETALL; every match up to the cursor is in. Each index is walked
  // from the first entry after the cursor's (score, id), found by that pair, not by the cursor's own entry: it is in
  // one type index of several, or in another partition, and may have left a state index since.
  private static final LuaScript PAGE = new LuaScript(JobRecords.STATUS_NOW_LUA,
      "local desc = ARGV[2] == 'desc'",
      "local lo, hi = tonumber(ARGV[3]), tonumber(ARGV[4])",
      "local cScore, cId = ARGV[5], ARGV[6]",
      "local limit, budget = tonumber(ARGV[7]), tonumber(ARGV[8])",
      "local fs, ft, fc, fq, now = ARGV[10], ARGV[11], ARGV[12], ARGV[13], tonumber(ARGV[14])",
      // The indexes to walk, each with the bounds of its own part: above (exclusive) and upto (inclusive).
      "local heads = {}",
      "if ARGV[17] ~= '' then",
      "  local mark = tonumber(redis.call('GET', ARGV[18] .. ':moved') or '0')",
      "  if ARGV[17] == 'scheduled' then heads[1] = {idx = ARGV[18], above = mark}",
      "  else heads[1] = {idx = ARGV[1]}; heads[2] = {idx = ARGV[18], upto = mark} end",
      "elseif ARGV[1] ~= '' then heads[1] = {idx = ARGV[1]}",
      "else",
      "  for _, t in ipairs(redis.call('SMEMBERS', ARGV[15])) do heads[#heads + 1] = {idx = ARGV[16] .. t} end",
      "end",
      // An entry comes first if (score, id) comes first in the walk's order (ties by id, as Redis orders them).
      "local function first(s1, id1, s2, id2)",
      "  if s1 ~= s2 then return (desc and s1 > s2) or ((not desc) and s1 < s2) end",
      "  return (desc and id1 > id2) or ((not desc) and id1 < id2)",
      "end",
      // The rank, in the walk's order, of the first entry of idx after (score, id): the entry's own rank + 1 if idx holds
      // it with that score, else how many come first (those of that score counted one by one: the jobs of one millisecond).
      "local function after(idx, score, id)",
      "  local own = redis.call('ZSCORE', idx, id)",
      "  if own and tonumber(own) == tonumber(score) then",
      "    return (desc and redis.call('ZREVRANK', idx, id) or redis.call('ZRANK', idx, id)) + 1",
      "  end",
      "  local n",
      "  if desc then n = redis.call('ZCOUNT', idx, '(' .. score, '+inf') else n = redis.call('ZCOUNT', idx, '-inf', '(' .. score) end",
      "  local s = tonumber(score)",
      "  for _, m in ipairs(redis.call('ZRANGEBYSCORE', idx, score, score)) do",
      "    if first(s, m, s, id) then n = n + 1 end",
      "  end",
      "  return n",
      "end",
      // Chunks start small and double: a page needs about limit entries in all, perhaps all from one type's index.
      "local FIRST_CHUNK, MOST_CHUNK = 16, 512",
      "for _, h in ipairs(heads) do",
      "  local idx, rank = h.idx, nil",
      "  if cId ~= '' then rank = after(idx, cScore, cId)",
      "  elseif desc then rank = redis.call('ZCOUNT', idx, '(' .. ARGV[4], '+inf')",
      "  else rank = redis.call('ZCOUNT', idx, '-inf', '(' .. ARGV[3]) end",
      // Past the entries before its own part: newer than upto (newest first), or up to above (oldest first).
      "  if desc and h.upto then rank = math.max(rank, redis.call('ZCOUNT', idx, '(' .. h.upto, '+inf')) end",
      "  if (not desc) and h.above then rank = math.max(rank, redis.call('ZCOUNT', idx, '-inf', h.above)) end",
      "  h.rank, h.chunk, h.pos, h.done, h.size = rank, {}, 1, false, FIRST_CHUNK",
      "end",
      // Points h at its next entry (h.id, h.score, h.raw: the score as Redis wrote it, for the cursor), reading its next
      // chunk when the last one is used up; false when h has no more.
      "local function load(h)",
      "  if h.pos > #h.chunk then",
      "    if h.done then return false end",
      "    if desc then h.chunk = redis.call('ZREVRANGE', h.idx, h.rank, h.rank + h.size - 1, 'WITHSCORES')",
      "    else h.chunk = redis.call('ZRANGE', h.idx, h.rank, h.rank + h.size - 1, 'WITHSCORES') end",
      "    h.rank, h.pos, h.done = h.rank + h.size, 1, #h.chunk < 2 * h.size",
      "    h.size = math.min(MOST_CHUNK, h.size * 2)",
      "    if #h.chunk == 0 then return false end",
      "  end",
      "  h.id, h.raw = h.chunk[h.pos], h.chunk[h.pos + 1]",
      "  h.score = tonumber(h.raw)",
      "  if (h.above and h.score <= h.above) or (h.upto and h.score > h.upto) then",
      "    h.done, h.chunk = true, {}",
      "    return false",
      "  end",
      "  return true",
      "end",
      // The indexes with entries left, in a binary heap by their next entry: a service may declare many types.
      "local heap = {}",
      "local function precedes(i, j) return first(heap[i].score, heap[i].id, heap[j].score, heap[j].id) end",
      "local function up(i)",
      "  while i > 1 and precedes(i, math.floor(i / 2)) do",
      "    local p = math.floor(i / 2)",
      "    heap[i], heap[p] = heap[p], heap[i]",
      "    i = p",
      "  end",
      "end",
      "local function down(i)",
      "  while true do",
      "    local m, l = i, 2 * i",
      "    if l <= #heap and precedes(l, m) then m = l end",
      "    if l + 1 <= #heap and precedes(l + 1, m) then m = l + 1 end",
      "    if m == i then return end",
      "    heap[i], heap[m] = heap[m], heap[i]",
      "    i = m",
      "  end",
      "end",
      "for _, h in ipairs(heads) do",
      "  if load(h) then heap[#heap + 1] = h; up(#heap) end",
      "end",
      // The next entry of the merged walk: id, score and the score's text; nil when every index is used up.
      "local function take()",
      "  local h = heap[1]",
      "  if not h then return nil end",
      "  local id, score, raw = h.id, h.score, h.raw",
      "  h.pos = h.pos + 2",
      "  if not load(h) then",
      "    heap[1] = heap[#heap]",
      "    heap[#heap] = nil",
      "  end",
      "  if #heap > 1 then down(1) end",
      "  return id, score, raw",
      "end",
      "local function outside(score) return (desc and score < lo) or ((not desc) and score > hi) end",
      "local out, examined, finished, last = {''}, 0, false, nil",
      "while (#out - 1) / 3 < limit and examined < budget do",
      "  local id, score, raw = take()",
      "  if not id or outside(score) then finished = true break end",
      "  examined = examined + 1",
      "  last = raw .. ':' .. id",
      "  local ok = fq == '' or string.sub(id, 1, #fq) == fq",
      "  if ok and (fs ~= '' or ft ~= '' or fc ~= '') then",
      "    local r = redis.call('HMGET', ARGV[9] .. id, 'status', 'type', 'client', 'runAt')",
      "    ok = (fs == '' or statusNow(r[1], r[4], now) == fs) and (ft == '' or r[2] == ft) and (fc == '' or r[3] == fc)",
      "  end",
      "  if ok then",
      "    local h = redis.call('HGETALL', ARGV[9] .. id)",
      "    if #h > 0 then out[#out + 1] = id; out[#out + 1] = raw; out[#out + 1] = h end",
      "  end",
      "end",
      "if not finished then",
      "  local id, score = take()",
      "  finished = not id or outside(score)",
      "end",
      "if not finished and last then out[1] = last end",
      "return out");

  private final Redis redis;
  private final Partitions partitions;
  private final List<JobIndex> indexes;

  public JobSearch(Redis redis, Partitions partitions) {
    this.redis = redis;
    this.partitions = partitions;
    this.indexes = partitions.all().stream().map(JobIndex::new).toList();
  }

  /**
   * What to list; empty strings and nulls mean "any".
   *
   * @param since  epoch millis, inclusive (creation time; with a state, the time the job entered it)
   * @param until  epoch millis, inclusive
   * @param cursor from the previous page's answer, {@code null} for the first page
   */
  public record Query(String state, String type, String client, String idPrefix, Long since, Long until, int limit,
                      String cursor, boolean oldestFirst) {
  }

  /** @param cursor for the next page; {@code null} at the end */
  public record Page(List<JsonObject> jobs, String cursor) {
  }

  /**
   * One page; fails with IllegalArgumentException for a cursor this service did not hand out. A {@code q} that is a
   * whole job id finds that job by its record at once, in the partition the id names, without walking an index.
   */
  public Future<Page> page(Query q) {
    if (!blank(q.idPrefix()).isEmpty() && q.cursor() == null) {
      String record = partitions.ofJobKeys(q.idPrefix()).record(q.idPrefix());
      return redis.send(Request.cmd(Command.HGETALL).arg(record))
          .compose(hash -> {
            JsonObject job = JobRecords.toJson(q.idPrefix(), hash);
            return job != null && matches(job, q) ? Future.succeededFuture(new Page(List.of(job), null)) : walk(q);
          });
    }
    return walk(q);
  }

  /**
   * The newest API job's id, of any type and partition; {@code null} if there is none: one read of the type indexes'
   * newest entries per partition ({@link JobIndex#newest}), all at once, the newest of them by (score, id) as every
   * listing orders them.
   */
  public Future<String> newest() {
    List<Future<Position>> each = indexes.stream().map(index -> index.newest(redis)).toList();
    return Future.all(each).map(v -> each.stream().map(Future::result).filter(Objects::nonNull)
        .min(Position.order(false)).map(Position::id).orElse(null));
  }

  private static boolean matches(JsonObject job, Query q) {
    return (blank(q.state()).isEmpty() || q.state().equals(job.getString("status")))
        && (blank(q.type()).isEmpty() || q.type().equals(job.getString("type")))
        && (blank(q.client()).isEmpty() || q.client().equals(job.getString("client")));
  }

  /** A page from every partition at once, each script call on its own partition's slot, merged. */
  private Future<Page> walk(Query q) {
    Position after = q.cursor() == null ? null : Position.decode(q.cursor());
    long now = System.currentTimeMillis(); // one "now" for every partition: a due job reads as queued in all or none
    List<Future<Part>> parts = new ArrayList<>(partitions.count());
    for (int p = 0; p < partitions.count(); p++) {
      parts.add(walk(p, q, after, now));
    }
    return Future.all(parts).map(all -> PartitionPages.merge(parts.stream().map(Future::result).toList(), q.limit(),
        Position.order(q.oldestFirst())));
  }

  private Future<Part> walk(int partition, Query q, Position after, long now) {
    StreamKeys keys = partitions.get(partition);
    JobIndex index = indexes.get(partition);
    List<Object> args = List.of(indexFor(q, keys, index), q.oldestFirst() ? "asc" : "desc", q.since() == null ? 0 : q.since(),
        q.until() == null ? Long.MAX_VALUE / 1024 : q.until(), after == null ? "" : after.score(), after == null ? "" : after.id(),
        q.limit(), EXAMINED_AT_MOST, keys.record(""), blank(q.state()), blank(q.type()), blank(q.client()),
        blank(q.idPrefix()), now, index.types(), index.type(""), stateMerged(q), keys.scheduled());
    return PAGE.run(redis, keys.service(), args).map(reply -> {
      List<Found> jobs = new ArrayList<>(reply.size() / 3);
      for (int i = 1; i + 2 < reply.size(); i += 3) {
        String id = reply.get(i).toString();
        JsonObject job = JobRecords.toJson(id, reply.get(i + 2));
        if (job != null) {
          jobs.add(new Found(new Position(reply.get(i + 1).toString(), id), job));
        }
      }
      String next = reply.get(0).toString();
      return new Part(jobs, next.isEmpty() ? null : Position.parse(next));
    });
  }

  /** 'scheduled' or 'queued' for a listing by one of those states, whose jobs the scheduled set shares: see PAGE. */
  private static String stateMerged(Query q) {
    return "scheduled".equals(q.state()) || "queued".equals(q.state()) ? q.state() : "";
  }

  private static String indexFor(Query q, StreamKeys keys, JobIndex index) {
    if (!blank(q.state()).isEmpty()) {
      return index.state(q.state());
    }
    if (!blank(q.client()).isEmpty()) {
      return keys.clientJobs(q.client());
    }
    if (!blank(q.type()).isEmpty()) {
      return index.type(q.type());
    }
    return ""; // every type's index, merged
  }

  private static String blank(String s) {
    return s == null ? "" : s;
  }
}
