package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.Collection;
import java.util.List;

/**
 * The console's indexes of API jobs, kept as the jobs change so that a listing reads sorted sets instead of scanning
 * records: each type's jobs by creation time, each state's jobs by the time they entered it. There is no index of all
 * jobs, which would take every job in a second sorted set of the same order as its type's: a listing of all walks the
 * type indexes merged in order ({@link JobSearch}), and a set names the types that have one ({@link #types()}). A
 * delayed job is only in the scheduled set until it is due (by due time): a backlog
 * of delayed jobs costs a record and one set entry each. When it falls due, the mover enters it in its type's and
 * client's indexes with that time, and leaves it in the scheduled set, which holds the state of its jobs in two parts:
 * after the mover's mark ({@link StreamKeys#scheduledMoved()}) the scheduled ones, up to it moved ones, queued until
 * a worker starts them. A listing by state, and the overview's counts, read the scheduled set's part for
 * {@code scheduled}, and for {@code queued} the queued index and the other part merged.
 * Entries are written by the scripts and pipelines that already touch the record; the enqueue script trims them to
 * {@code --record-ttl} and to {@link #KEPT_PER_INDEX}. A state index can hold a job that has left the state for a
 * moment (a writer that does not know the previous state); a listing by state checks the record, so it never shows it.
 */
public final class JobIndex {
  /** The most entries one index keeps (the newest). */
  public static final int KEPT_PER_INDEX = 1_000_000;
  /** The states a record can be in, in the order a job goes through them. */
  public static final List<String> STATES = List.of("scheduled", "queued", "running", "failed", "completed", "dead", "canceled");
  /**
   * The states whose indexes are trimmed by age and size: all but {@code scheduled}, whose index is the scheduled set
   * itself (scored by due time; its moved jobs leave it when a worker starts them, or with their records).
   */
  static final List<String> TRIMMED_STATES = STATES.subList(1, STATES.size());

  private final StreamKeys keys;

  public JobIndex(StreamKeys keys) {
    this.keys = keys;
  }

  /** The types whose jobs were ever indexed here: the type indexes a listing of all jobs merges. */
  public String types() {
    return keys.indexPrefix() + "types";
  }

  public String type(String type) {
    return keys.indexPrefix() + "type:" + type;
  }

  /**
   * A state's index; for {@code scheduled}, the scheduled set (its jobs by due time, not by the time they entered it),
   * whose jobs up to the mover's mark are queued ones: see the class.
   */
  public String state(String state) {
    return "scheduled".equals(state) ? keys.scheduled() : keys.indexPrefix() + "state:" + state;
  }

  /** A new job: in the indexes of its type and of its first state, and its client among the clients. */
  List<Request> created(String jobId, String type, String client, String state, long now) {
    return List.of(Request.cmd(Command.SADD).arg(types()).arg(type),
        Request.cmd(Command.ZADD).arg(type(type)).arg(now).arg(jobId),
        Request.cmd(Command.ZADD).arg(state(state)).arg(now).arg(jobId),
        Request.cmd(Command.ZADD).arg(keys.clients()).arg(now).arg(client));
  }

  // ARGV: 1 the set of types (types()), 2 the type indexes' prefix, 3 since (epoch millis). Replies the jobs created
  // since then, over every type.
  private static final LuaScript CREATED_SINCE = new LuaScript(
      "local n = 0",
      "for _, t in ipairs(redis.call('SMEMBERS', ARGV[1])) do n = n + redis.call('ZCOUNT', ARGV[2] .. t, ARGV[3], '+inf') end",
      "return n");

  // ARGV: 1 the set of types, 2 the type indexes' prefix. Replies {id, score as Redis wrote it} of the newest job of
  // any type, false if none.
  private static final LuaScript NEWEST = new LuaScript(
      "local id, at, raw = false, nil, nil",
      "for _, t in ipairs(redis.call('SMEMBERS', ARGV[1])) do",
      "  local top = redis.call('ZREVRANGE', ARGV[2] .. t, 0, 0, 'WITHSCORES')",
      "  if #top > 0 and (not at or tonumber(top[2]) > at or (tonumber(top[2]) == at and top[1] > id)) then",
      "    id, at, raw = top[1], tonumber(top[2]), top[2]",
      "  end",
      "end",
      "if not id then return false end",
      "return {id, raw}");

  /** How many API jobs were created since then (epoch millis), of every type. */
  public Future<Long> createdSince(Redis redis, long millis) {
    return CREATED_SINCE.run(redis, keys.service(), List.of(types(), type(""), millis)).map(Response::toLong);
  }

  /** The newest API job of any type, where its type's index has it; {@code null} if there is none. */
  Future<PartitionPages.Position> newest(Redis redis) {
    return NEWEST.run(redis, keys.service(), List.of(types(), type("")))
        .map(r -> r == null ? null : new PartitionPages.Position(r.get(1).toString(), r.get(0).toString()));
  }

  /**
   * Readies the indexes of a service that ran an older HWaaS: the types that may have an index named in
   * {@link #types()}, and the index of all jobs those versions kept dropped (freed off Redis's main thread).
   */
  public Future<Void> prepare(Redis redis, Collection<String> knownTypes) {
    Request drop = Request.cmd(Command.UNLINK).arg(keys.indexPrefix() + "all");
    if (knownTypes.isEmpty()) {
      return redis.send(drop).mapEmpty();
    }
    Request add = Request.cmd(Command.SADD).arg(types());
    knownTypes.forEach(add::arg);
    return redis.batch(List.of(add, drop)).mapEmpty();
  }
}
