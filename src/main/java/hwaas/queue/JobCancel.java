package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * Cancels a tracked job by id, wherever it is: its record turns {@code canceled} in one atomic step with the check that
 * it is not finished, so a worker that starts it afterwards skips it ({@link #startRunning}); a delayed one leaves the
 * scheduled set; and every worker in the cluster is told ({@link QueueAddresses#CANCEL}), so the one running it stops.
 * This is the one way to cancel a job: the API and anything else (a chain's remaining steps) call {@link #cancel}.
 */
public final class JobCancel {
  /** Statuses after which a job can no longer be canceled. */
  public static final List<String> FINISHED = List.of("completed", "dead", "canceled");

  // KEYS[1]: the record; ARGV[1]: now (millis), ARGV[2]: the scheduled set, ARGV[3]: the job id, ARGV[4]: the counters
  // key prefix. Replies with the status the job had ('' if there is no record); only an unfinished job changes. A
  // delayed job never reaches a stream, so it counts as processed (and canceled) here; any other is counted by the
  // worker that skips or stops it.
  private static final String CANCEL = String.join("\n",
      "if redis.call('EXISTS', KEYS[1]) == 0 then return '' end",
      "local r = redis.call('HMGET', KEYS[1], 'status', 'type')",
      "local status = r[1] or 'queued'",
      "if status == 'completed' or status == 'dead' or status == 'canceled' then return status end",
      "redis.call('HSET', KEYS[1], 'status', 'canceled', 'finishedAt', ARGV[1], 'canceledWhile', status)",
      "if redis.call('ZREM', ARGV[2], ARGV[3]) == 1 and r[2] then",
      "  redis.call('HINCRBY', ARGV[4] .. r[2], 'processed', 1)",
      "  redis.call('HINCRBY', ARGV[4] .. r[2], 'canceled', 1)",
      "end",
      "return status");

  // ARGV[1]: record key prefix, ARGV[2]: record TTL (s), ARGV[3]: worker, ARGV[4]: now; then per job its id and
  // attempt. Marks each job running unless it was canceled; replies with the ids of those that were.
  private static final String START_RUNNING = String.join("\n",
      "local canceled = {}",
      "for i = 5, #ARGV, 2 do",
      "  local record = ARGV[1] .. ARGV[i]",
      "  if redis.call('HGET', record, 'status') == 'canceled' then canceled[#canceled + 1] = ARGV[i] else",
      "    redis.call('HSET', record, 'status', 'running', 'worker', ARGV[3], 'attempts', ARGV[i + 1], 'startedAt', ARGV[4])",
      "    redis.call('EXPIRE', record, ARGV[2])",
      "  end",
      "end",
      "return canceled");

  private final Vertx vertx;
  private final Redis redis;
  private final StreamKeys keys;

  public JobCancel(Vertx vertx, Redis redis, StreamKeys keys) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = keys;
  }

  /**
   * Cancels the job {@code jobId}: answers the status it had, {@code null} if there is no such job (or its record
   * expired). A finished job (one of {@link #FINISHED}) is left as it was; any other is now canceled, and a worker
   * running it is told.
   */
  public Future<String> cancel(String jobId) {
    Request script = Request.cmd(Command.EVAL).arg(CANCEL).arg(1).arg(keys.record(jobId))
        .arg(System.currentTimeMillis()).arg(keys.scheduled()).arg(jobId).arg(keys.counters(""));
    return redis.send(script).map(reply -> {
      String before = reply == null ? "" : reply.toString();
      if (before.isEmpty()) {
        return null;
      }
      if ("running".equals(before)) {
        // Every worker hears it; only the one running the job acts. A job not running yet needs no word: the worker
        // that takes it finds it canceled in the same step that would mark it running.
        vertx.eventBus().publish(QueueAddresses.CANCEL, new JsonObject().put("id", jobId));
      }
      return before;
    });
  }

  /** The request that marks {@code jobIds} running (each with its attempt) unless canceled; see {@link #canceledIds}. */
  public static Request startRunning(StreamKeys keys, long ttlSeconds, String worker, long now, List<String> jobIds,
                                     List<Long> attempts) {
    Request script = Request.cmd(Command.EVAL).arg(START_RUNNING).arg(0).arg(keys.record(""))
        .arg(ttlSeconds).arg(worker).arg(now);
    for (int i = 0; i < jobIds.size(); i++) {
      script.arg(jobIds.get(i)).arg(attempts.get(i));
    }
    return script;
  }

  /** The ids of the jobs that {@link #startRunning} found canceled. */
  public static List<String> canceledIds(Response reply) {
    List<String> ids = new ArrayList<>();
    if (reply != null) {
      reply.forEach(id -> ids.add(id.toString()));
    }
    return ids;
  }
}
