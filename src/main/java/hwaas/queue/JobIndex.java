package hwaas.queue;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.util.List;

/**
 * The console's indexes of API jobs, kept as the jobs change so that a listing reads one sorted set instead of scanning
 * records: every job by creation time, each type's jobs by creation time, each state's jobs by the time they entered
 * it. A delayed job is only in the scheduled set until it is due (that set is the index of the scheduled state, by due
 * time): a backlog of delayed jobs costs a record and one set entry each; the mover indexes it, with that time, when it
 * falls due.
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
   * itself (scored by due time, emptied by the mover only).
   */
  static final List<String> TRIMMED_STATES = STATES.subList(1, STATES.size());

  private final StreamKeys keys;

  public JobIndex(StreamKeys keys) {
    this.keys = keys;
  }

  public String all() {
    return keys.indexPrefix() + "all";
  }

  public String type(String type) {
    return keys.indexPrefix() + "type:" + type;
  }

  /** A state's index; for {@code scheduled}, the scheduled set (its jobs by due time, not by the time they entered it). */
  public String state(String state) {
    return "scheduled".equals(state) ? keys.scheduled() : keys.indexPrefix() + "state:" + state;
  }

  /** A new job: in the indexes of all jobs, of its type and of its first state, and its client among the clients. */
  List<Request> created(String jobId, String type, String client, String state, long now) {
    return List.of(Request.cmd(Command.ZADD).arg(all()).arg(now).arg(jobId),
        Request.cmd(Command.ZADD).arg(type(type)).arg(now).arg(jobId),
        Request.cmd(Command.ZADD).arg(state(state)).arg(now).arg(jobId),
        Request.cmd(Command.ZADD).arg(keys.clients()).arg(now).arg(client));
  }
}
