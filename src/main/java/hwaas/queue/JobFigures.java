package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The overview's figures of API jobs since a time (today): how many were created, how many entered each state and are
 * in it now, and the dead letters waiting, added up over the partitions. Counted from the console's indexes
 * ({@link JobIndex}) by two scripts of a few ZCOUNTs and an XLEN per partition, all sent at once, whatever the number
 * of jobs. A state's count can include, for a moment, a job that just left it (see {@link JobIndex});
 * {@code scheduled} counts the delayed jobs waiting that are due since then (its index is the scheduled set after the
 * mover's mark, by due time), and {@code queued} adds the moved ones before the mark.
 */
public final class JobFigures {
  // ARGV: 1 since (epoch millis), 2 the scheduled set, 3 and 4 where the scheduled and the queued state are among
  // 5... each state's index (JobIndex.state). Replies each state's count since then. The scheduled set's jobs up to the
  // mover's mark count as queued, not as scheduled (DueJobs).
  private static final LuaScript BY_STATE = new LuaScript(
      "local since, set = tonumber(ARGV[1]), ARGV[2]",
      "local scheduled, queued = tonumber(ARGV[3]), tonumber(ARGV[4])",
      "local mark = tonumber(redis.call('GET', set .. ':moved') or '0')",
      "local counts = {}",
      "for i = 5, #ARGV do",
      "  local n = i - 4",
      "  if n == scheduled then counts[n] = redis.call('ZCOUNT', set, since > mark and ARGV[1] or ('(' .. mark), '+inf')",
      "  else counts[n] = redis.call('ZCOUNT', ARGV[i], ARGV[1], '+inf') end",
      "end",
      "if mark >= since then counts[queued] = counts[queued] + redis.call('ZCOUNT', set, ARGV[1], mark) end",
      "return counts");

  private final Redis redis;
  private final Partitions partitions;

  public JobFigures(Redis redis, Partitions partitions) {
    this.redis = redis;
    this.partitions = partitions;
  }

  /** {since, created, byState: {state: jobs}, deadLetters}, each figure the sum of every partition's. */
  public Future<JsonObject> since(long millis) {
    // Each partition's calls go to its own slot (a batch may not span them), all at once.
    List<Future<Long>> created = new ArrayList<>();
    List<Future<Response>> byState = new ArrayList<>();
    List<Future<Response>> dead = new ArrayList<>();
    for (StreamKeys keys : partitions.all()) {
      JobIndex index = new JobIndex(keys);
      List<Object> args = new ArrayList<>(List.of(millis, keys.scheduled(),
          JobIndex.STATES.indexOf("scheduled") + 1, JobIndex.STATES.indexOf("queued") + 1));
      JobIndex.STATES.forEach(s -> args.add(index.state(s)));
      created.add(index.createdSince(redis, millis));
      byState.add(BY_STATE.run(redis, keys.service(), args));
      dead.add(redis.send(Request.cmd(Command.XLEN).arg(keys.dead())));
    }
    List<Future<?>> all = new ArrayList<>(created);
    all.addAll(byState);
    all.addAll(dead);
    return Future.all(all).map(v -> {
      JsonObject states = new JsonObject();
      for (int i = 0; i < JobIndex.STATES.size(); i++) {
        int state = i;
        states.put(JobIndex.STATES.get(i), byState.stream().mapToLong(f -> f.result().get(state).toLong()).sum());
      }
      return new JsonObject().put("since", Instant.ofEpochMilli(millis).toString())
          .put("created", created.stream().mapToLong(Future::result).sum())
          .put("byState", states)
          .put("deadLetters", dead.stream().mapToLong(f -> f.result().toLong()).sum());
    });
  }
}
