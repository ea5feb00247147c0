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
 * A job of a chain cancels its chain: no further step starts, and the jobs of the current step are canceled as above.
 * This is the one way to cancel a job: the API, and any code that cancels, calls {@link #cancel}.
 */
public final class JobCancel {
  /** Statuses after which a job can no longer be canceled. */
  public static final List<String> FINISHED = List.of("completed", "dead", "canceled");

  // KEYS[1]: the record; ARGV[1]: now (millis), ARGV[2]: the scheduled set, ARGV[3]: the job id, ARGV[4]: the counters
  // key prefix, ARGV[5]: the record key prefix, ARGV[6]: the chain key prefix, ARGV[7]: the console's index prefix
  // (JobIndex). Replies {status before ('' if there is no
  // record), the chain's first job id ('' if none), ids of the jobs that were running...}; only unfinished jobs change.
  // A delayed job never reaches a stream, so it counts as processed (and canceled) here; any other is counted by the
  // worker that skips or stops it. A job of a chain cancels the chain: it is marked canceled (so no further step
  // starts) and so is every unfinished job of its current step; the status before is that of the step's first job.
  private static final String CANCEL = String.join("\n", ScriptFlags.ALLOW_OOM,
      "local now, scheduled, countP, recP, chainP, idxP = ARGV[1], ARGV[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7]",
      "local function over(s) return s == 'completed' or s == 'dead' or s == 'canceled' end",
      "local running = {}",
      "local function cancel(id)",
      "  local rec = recP .. id",
      "  if redis.call('EXISTS', rec) == 0 then return '' end",
      "  local r = redis.call('HMGET', rec, 'status', 'type')",
      "  local status = r[1] or 'queued'",
      "  if over(status) then return status end",
      "  local at = redis.call('ZSCORE', scheduled, id)",
      "  if at then redis.call('ZREM', scheduled, id) end",
      // Waiting for its time: in the scheduled set after the mover's mark. A scheduled job at or before the mark, or no
      // longer in the set, is due and in its stream (the mover leaves its record as it was): queued.
      "  local waiting = at and tonumber(at) > tonumber(redis.call('GET', scheduled .. ':moved') or '0')",
      "  if status == 'scheduled' and not waiting then status = 'queued' end",
      "  redis.call('HSET', rec, 'status', 'canceled', 'finishedAt', now, 'canceledWhile', status, 'ev:' .. now .. ':canceled', '')",
      "  if status ~= 'scheduled' then redis.call('ZREM', idxP .. 'state:' .. status, id) end",
      "  redis.call('ZADD', idxP .. 'state:canceled', now, id)",
      "  if waiting and r[2] then",
      "    redis.call('HINCRBY', countP .. r[2], 'processed', 1)",
      "    redis.call('HINCRBY', countP .. r[2], 'canceled', 1)",
      "  end",
      "  if status == 'running' then running[#running + 1] = id end",
      "  return status",
      "end",
      "local id = ARGV[3]",
      "if redis.call('EXISTS', KEYS[1]) == 0 then return {''} end",
      "local root = redis.call('HGET', KEYS[1], 'chain')",
      "if not root and redis.call('EXISTS', chainP .. id) == 1 then root = id end",
      "if not root then",
      "  local before = cancel(id)",
      "  return {before, '', unpack(running)}",
      "end",
      "local ck = chainP .. root",
      "local c = redis.call('HMGET', ck, 'status', 'step')",
      "if over(c[1]) then return {c[1], root} end",
      "local s = tonumber(c[2] or '0')",
      "local ids = {}",
      "if s == 0 then ids[1] = root else",
      "  local width = redis.call('HGET', ck, 'width:' .. s)",
      "  if width then",
      "    for k = 0, tonumber(width) - 1 do ids[#ids + 1] = root .. '.' .. s .. '.' .. k end",
      "  else ids[1] = root .. '.' .. s end",
      "end",
      "local before = ''",
      "for _, stepId in ipairs(ids) do",
      "  local was = cancel(stepId)",
      "  if before == '' or over(before) then before = was end",
      "end",
      "redis.call('HSET', ck, 'status', 'canceled', 'finishedAt', now)",
      "if before == '' or over(before) then before = 'running' end",
      "return {before, root, unpack(running)}");

  // ARGV[1]: record key prefix, ARGV[2]: record TTL (s), ARGV[3]: worker, ARGV[4]: now, ARGV[5]: the console's index
  // prefix (JobIndex), ARGV[6]: the scheduled set; then per job its id and attempt. Marks each job running unless it
  // was canceled; replies with the ids of those that were. A delayed job (its record still says scheduled) leaves the
  // scheduled set, its queued index since the mover moved it (DueJobs). The worker and
  // the start time are the running event's detail and time (JobRecords reads them from there): two fields fewer to
  // write per job, about a quarter of this script's Redis time. A job whose record is gone (expired) runs without one:
  // no partial record is made for it.
  private static final String START_RUNNING = String.join("\n", ScriptFlags.ALLOW_OOM,
      "local canceled, started, retried, running, delayed = {}, {}, {}, {}, {}",
      "local idxP, event = ARGV[5], 'ev:' .. ARGV[4] .. ':running'",
      "for i = 7, #ARGV, 2 do",
      "  local record = ARGV[1] .. ARGV[i]",
      "  local status = redis.call('HGET', record, 'status')",
      "  if status == 'scheduled' then delayed[#delayed + 1] = ARGV[i] end",
      "  if status == 'canceled' then canceled[#canceled + 1] = ARGV[i] elseif status then",
      "    redis.call('HSET', record, 'status', 'running', 'attempts', ARGV[i + 1], event, ARGV[3])",
      "    redis.call('EXPIRE', record, ARGV[2])",
      "    started[#started + 1] = ARGV[i]",
      // Only a retry (a later attempt) can come from the failed state: a first one skips that write.
      "    if ARGV[i + 1] ~= '1' then retried[#retried + 1] = ARGV[i] end",
      "    running[#running + 1] = ARGV[4]",
      "    running[#running + 1] = ARGV[i]",
      "  end",
      "end",
      // The console's index moves, one command each for the whole call (a call holds at most JOBS_PER_CALL jobs).
      "if #started > 0 then",
      "  redis.call('ZREM', idxP .. 'state:queued', unpack(started))",
      "  redis.call('ZADD', idxP .. 'state:running', unpack(running))",
      "end",
      "if #retried > 0 then redis.call('ZREM', idxP .. 'state:failed', unpack(retried)) end",
      "if #delayed > 0 then redis.call('ZREM', ARGV[6], unpack(delayed)) end",
      "return canceled");

  private final Vertx vertx;
  private final Redis redis;
  private final Partitions partitions;

  /** @param partitions where API jobs live: each job's record, chain and indexes in the partition its id names */
  public JobCancel(Vertx vertx, Redis redis, Partitions partitions) {
    this.vertx = vertx;
    this.redis = redis;
    this.partitions = partitions;
  }

  /**
   * What a cancel found.
   *
   * @param before the status the job had (for a chain, the job of its current step), or the chain's if it was over
   * @param chain  the id of the chain the job belongs to (its first job), or {@code null}
   */
  public record Outcome(String before, String chain) {
    /** The job (or its chain) was finished already, and nothing changed. */
    public boolean wasFinished() {
      return FINISHED.contains(before);
    }
  }

  /**
   * Cancels the job {@code jobId}, or the chain it belongs to: {@code null} if there is no such job (or its record
   * expired). A finished job or chain is left as it was; any other is now canceled, and a worker running it is told.
   */
  public Future<Outcome> cancel(String jobId) {
    StreamKeys keys = partitions.ofJobKeys(jobId);
    Request script = Request.cmd(Command.EVAL).arg(CANCEL).arg(1).arg(keys.record(jobId))
        .arg(System.currentTimeMillis()).arg(keys.scheduled()).arg(jobId).arg(keys.counters(""))
        .arg(keys.record("")).arg(keys.chain("")).arg(keys.indexPrefix());
    return redis.send(script).map(reply -> {
      String before = reply.get(0).toString();
      if (before.isEmpty()) {
        return null;
      }
      // Every worker hears of each job that was running; only the one running it acts. A job not running yet needs no
      // word: the worker that takes it finds it canceled in the same step that would mark it running.
      for (int i = 2; i < reply.size(); i++) {
        vertx.eventBus().publish(QueueAddresses.CANCEL, new JsonObject().put("id", reply.get(i).toString()));
      }
      String chain = reply.get(1).toString();
      return new Outcome(before, chain.isEmpty() ? null : chain);
    });
  }

  /**
   * The requests that mark {@code jobIds} running (each with its attempt) unless canceled, one per
   * {@value #JOBS_PER_CALL} jobs so that no call holds Redis for long; see {@link #canceledIds}.
   */
  public static List<Request> startRunning(StreamKeys keys, long ttlSeconds, String worker, long now, List<String> jobIds,
                                           List<Long> attempts) {
    List<Request> calls = new ArrayList<>();
    for (int from = 0; from < jobIds.size(); from += JOBS_PER_CALL) {
      Request script = Request.cmd(Command.EVAL).arg(START_RUNNING).arg(1).arg(keys.service()).arg(keys.record(""))
          .arg(ttlSeconds).arg(worker).arg(now).arg(keys.indexPrefix()).arg(keys.scheduled());
      for (int i = from; i < Math.min(jobIds.size(), from + JOBS_PER_CALL); i++) {
        script.arg(jobIds.get(i)).arg(attempts.get(i));
      }
      calls.add(script);
    }
    return calls;
  }

  /** Jobs per {@link #startRunning} call. */
  static final int JOBS_PER_CALL = 250;

  /** The ids of the jobs that {@link #startRunning}'s calls found canceled. */
  public static List<String> canceledIds(List<Response> replies) {
    List<String> ids = new ArrayList<>();
    for (Response reply : replies) {
      if (reply != null) {
        reply.forEach(id -> ids.add(id.toString()));
      }
    }
    return ids;
  }
}
