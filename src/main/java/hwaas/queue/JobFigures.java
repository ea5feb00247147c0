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
 * in it now, and the dead letters waiting. Counted from the console's indexes ({@link JobIndex}) in one round trip of
 * a few ZCOUNTs, whatever the number of jobs. A state's count can include, for a moment, a job that just left it (see
 * {@link JobIndex}); {@code scheduled} counts the delayed jobs waiting that are due since then (its index is the
 * scheduled set, by due time).
 */
public final class JobFigures {
  private final Redis redis;
  private final Partitions partitions;
  private final JobIndex index;

  public JobFigures(Redis redis, Partitions partitions) {
    this.redis = redis;
    this.partitions = partitions;
    this.index = new JobIndex(partitions.home());
  }

  /** {since, created, byState: {state: jobs}, deadLetters}. */
  public Future<JsonObject> since(long millis) {
    List<Request> counts = new ArrayList<>();
    JobIndex.STATES.forEach(s -> counts.add(Request.cmd(Command.ZCOUNT).arg(index.state(s)).arg(millis).arg("+inf")));
    counts.add(Request.cmd(Command.XLEN).arg(partitions.home().dead()));
    // The other partitions' dead letters, each on its own slot (a batch may not span them).
    List<Future<Response>> otherDead = new ArrayList<>();
    partitions.all().subList(1, partitions.count())
        .forEach(keys -> otherDead.add(redis.send(Request.cmd(Command.XLEN).arg(keys.dead()))));
    Future<Long> moreDead = Future.all(otherDead)
        .map(all -> otherDead.stream().mapToLong(f -> f.result().toLong()).sum());
    Future<Long> created = index.createdSince(redis, millis);
    return Future.all(moreDead, created).compose(v -> redis.batch(counts).map(replies -> {
      JsonObject byState = new JsonObject();
      for (int i = 0; i < JobIndex.STATES.size(); i++) {
        byState.put(JobIndex.STATES.get(i), replies.get(i).toLong());
      }
      long more = moreDead.result();
      return new JsonObject().put("since", Instant.ofEpochMilli(millis).toString()).put("created", created.result())
          .put("byState", byState).put("deadLetters", replies.get(replies.size() - 1).toLong() + more);
    }));
  }
}
