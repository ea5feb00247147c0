package hwaas.chain;

import hwaas.queue.JobRecords;
import hwaas.queue.Priority;
import hwaas.queue.ScriptFlags;
import hwaas.queue.StreamKeys;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the records of finished API jobs are written, and chains move on. A chain lives in a hash,
 * {@code hwaas:chain:<root>}, next to its jobs' records; a step's record names its chain and step. When a job of a
 * chain completes, the same script that marks its record starts the next step: it appends the step's job(s) to their
 * stream, with the result as {@code previous} in the payload, and writes their records. A worker sends it before it
 * acknowledges the entry, so a node that dies between the two runs the step again (at least once, as every job) but
 * the next step starts once: {@code started:<s>} is set with it, atomically. The first job's id stands for the chain.
 */
public final class ChainScripts {
  /** The payload field that carries the previous step's result. */
  public static final String PREVIOUS = "previous";

  // ARGV: mode ('done' or 'dead'), now, record TTL, record prefix, chain prefix, stream prefix, counters prefix,
  // client index prefix, jobs kept per client, the console's index prefix (JobIndex); then per job: id, result JSON
  // (done) or error (dead), attempts. A job of a canceled chain moves it no further.
  // Replies two lists: for each job that belongs to a chain still under way, id, root, the chain's status after it, the
  // job's step, and the chain's result when it completed ('' otherwise); and the ids of the jobs found canceled (their
  // records stay so; a completed one is counted canceled here, as its worker settled it thinking it ran, a dead one by
  // the dead letter's script).
  private static final String SETTLE = String.join("\n", ScriptFlags.ALLOW_OOM,
      "local mode, now, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])",
      "local recP, chainP, streamP, countP, clientP, kept = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9])",
      "local idxP = ARGV[10]",
      "local out, canceled, ended, endedAt = {}, {}, {}, {}",
      "local function enqueue(root, id, t, payload, client, s, member, suffix)",
      "  local batch = '{\"key\":\"' .. id .. '\",\"type\":\"' .. t .. '\",\"sentAt\":' .. now .. ',\"payload\":' .. payload",
      "    .. ',\"tracked\":true,\"ids\":[\"' .. id .. '\"]}'",
      "  redis.call('XADD', streamP .. t .. suffix, '*', 'jobs', '[' .. batch .. ']')",
      "  redis.call('HINCRBY', countP .. t, 'enqueued', 1)",
      "  local rec = recP .. id",
      "  redis.call('HSET', rec, 'type', t, 'client', client, 'status', 'queued',",
      "    'payload', payload, 'createdAt', now, 'chain', root, 'step', s, 'ev:' .. now .. ':queued', '')",
      "  redis.call('SADD', idxP .. 'types', t)",
      "  redis.call('ZADD', idxP .. 'type:' .. t, now, id)",
      "  redis.call('ZADD', idxP .. 'state:queued', now, id)",
      "  if member then redis.call('HSET', rec, 'member', member) end",
      "  if suffix ~= '' then redis.call('HSET', rec, 'priority', string.sub(suffix, 2)) end",
      "  redis.call('EXPIRE', rec, ttl)",
      "  local index = clientP .. client",
      "  redis.call('ZADD', index, now, id)",
      "  redis.call('ZREMRANGEBYRANK', index, 0, -kept - 1)",
      "  redis.call('EXPIRE', index, ttl)",
      "end",
      "local function withPrevious(payload, previous)",
      "  if #payload <= 2 then return '{\"previous\":' .. previous .. '}' end",
      "  return string.sub(payload, 1, -2) .. ',\"previous\":' .. previous .. '}'",
      "end",
      // Starts step s with the previous step's result, once; past the last step the chain is complete.
      "local function start(ck, root, s, previous)",
      "  local f = redis.call('HMGET', ck, 'steps', 'client', 'width:' .. s, 'priority')",
      "  local suffix = f[4] or ''",
      "  if s >= tonumber(f[1]) then",
      "    redis.call('HSET', ck, 'status', 'completed', 'result', previous, 'finishedAt', now)",
      "    redis.call('EXPIRE', ck, ttl)",
      "    return 'completed'",
      "  end",
      "  if redis.call('HSETNX', ck, 'started:' .. s, now) == 0 then return 'running' end",
      "  if not f[3] then",
      "    local spec = redis.call('HMGET', ck, 'type:' .. s, 'payload:' .. s)",
      "    enqueue(root, root .. '.' .. s, spec[1], withPrevious(spec[2], previous), f[2], s, nil, suffix)",
      "  else",
      "    redis.call('HSET', ck, 'left:' .. s, f[3])",
      "    for k = 0, tonumber(f[3]) - 1 do",
      "      local spec = redis.call('HMGET', ck, 'type:' .. s .. '.' .. k, 'payload:' .. s .. '.' .. k)",
      "      enqueue(root, root .. '.' .. s .. '.' .. k, spec[1], withPrevious(spec[2], previous), f[2], s, k, suffix)",
      "    end",
      "  end",
      "  redis.call('HSET', ck, 'step', s, 'status', 'running')",
      "  redis.call('HDEL', ck, 'deadStep', 'error')",
      "  redis.call('EXPIRE', ck, ttl)",
      "  return 'running'",
      "end",
      "for i = 11, #ARGV, 3 do",
      "  local id, text, attempts = ARGV[i], ARGV[i + 1], ARGV[i + 2]",
      "  local rec = recP .. id",
      // A job canceled meanwhile stays canceled, whatever its last attempt did.
      "  local m = redis.call('HMGET', rec, 'status', 'chain', 'step', 'member', 'type')",
      "  if m[1] == 'canceled' then",
      "    canceled[#canceled + 1] = id",
      "    if mode == 'done' and m[5] then redis.call('HINCRBY', countP .. m[5], 'canceled', 1) end",
      "  else",
      "  if mode == 'done' then",
      "    redis.call('HSET', rec, 'status', 'completed', 'result', text, 'finishedAt', now, 'ev:' .. now .. ':completed', '')",
      "  else",
      "    redis.call('HSET', rec, 'status', 'dead', 'error', text, 'attempts', attempts, 'finishedAt', now,",
      "      'ev:' .. now .. ':dead', text)",
      "  end",
      "  ended[#ended + 1] = id",
      "  endedAt[#endedAt + 1] = now",
      "  endedAt[#endedAt + 1] = id",
      "  redis.call('EXPIRE', rec, ttl)",
      "  local root, s, member = m[2], tonumber(m[3] or '0'), m[4]",
      "  if not root and redis.call('EXISTS', chainP .. id) == 1 then root = id end",
      "  if root and redis.call('HGET', chainP .. root, 'status') == 'canceled' then root = nil end",
      "  if root then",
      "    local ck, status = chainP .. root, 'running'",
      "    if mode == 'dead' then",
      "      redis.call('HSET', ck, 'status', 'dead', 'deadStep', s, 'error', text, 'finishedAt', now)",
      "      status = 'dead'",
      "    elseif member then",
      // A fan-out's step completes with its last job; a job settled twice counts once.
      "      if redis.call('HSETNX', ck, 'result:' .. s .. '.' .. member, text) == 1",
      "          and redis.call('HINCRBY', ck, 'left:' .. s, -1) == 0 then",
      "        local parts = {}",
      "        for k = 0, tonumber(redis.call('HGET', ck, 'width:' .. s)) - 1 do",
      "          parts[k + 1] = redis.call('HGET', ck, 'result:' .. s .. '.' .. k)",
      "        end",
      "        local all = '[' .. table.concat(parts, ',') .. ']'",
      "        redis.call('HSET', ck, 'result:' .. s, all)",
      "        status = start(ck, root, s + 1, all)",
      "      end",
      "    else",
      "      redis.call('HSET', ck, 'result:' .. s, text)",
      "      status = start(ck, root, s + 1, text)",
      "    end",
      "    out[#out + 1] = id",
      "    out[#out + 1] = root",
      "    out[#out + 1] = status",
      "    out[#out + 1] = tostring(s)",
      "    out[#out + 1] = status == 'completed' and redis.call('HGET', ck, 'result') or ''",
      "  end",
      "  end",
      "end",
      // The console's index moves, one command each for the whole call (at most JOBS_PER_CALL jobs).
      "if #ended > 0 then",
      "  redis.call('ZREM', idxP .. 'state:running', unpack(ended))",
      "  if mode ~= 'done' then redis.call('ZREM', idxP .. 'state:failed', unpack(ended)) end",
      "  redis.call('ZADD', idxP .. (mode == 'done' and 'state:completed' or 'state:dead'), unpack(endedAt))",
      "end",
      "return {out, canceled}");

  // KEYS[1]: the chain's hash; ARGV[1]: its TTL in seconds, then its fields: written only if it does not exist yet, so
  // a resent submission (same Idempotency-Key) leaves a chain under way as it is.
  private static final String CREATE = String.join("\n",
      "if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end",
      "redis.call('HSET', KEYS[1], unpack(ARGV, 2))",
      "redis.call('EXPIRE', KEYS[1], ARGV[1])",
      "return 1");

  /** A change of a chain that a job's settlement made. */
  public record ChainEvent(String jobId, String root, String status, int step, String result) {
    /** The chain ended with this job: completed or dead. */
    public boolean ended() {
      return !"running".equals(status);
    }

    /** What followers of the chain (its first job's id) hear: its status, the step reached, its result at the end. */
    public JsonObject announcement() {
      JsonObject event = new JsonObject().put("status", status).put("step", ended() ? step : step + 1);
      if (!result.isEmpty()) {
        event.put("result", Json.decodeValue(result)); // an object, or a fan-out's array
      }
      return event.put("id", root).put("chain", true);
    }
  }

  private final StreamKeys keys;
  private final long ttlSeconds;

  public ChainScripts(StreamKeys keys, Duration recordTtl) {
    this.keys = keys;
    this.ttlSeconds = Math.max(1, recordTtl.toSeconds());
  }

  /**
   * Writes a chain before its first job is enqueued, so that the job's completion finds it.
   *
   * @param lifeSeconds how long the chain may wait before it starts (a delayed first job) beyond the record TTL
   */
  public Request create(String root, ChainSpec spec, String client, Priority priority, long now, long lifeSeconds) {
    Request eval = Request.cmd(Command.EVAL).arg(CREATE).arg(1).arg(keys.chain(root)).arg(ttlSeconds + lifeSeconds);
    spec.fields(root, client, now).forEach(eval::arg);
    eval.arg("priority").arg(priority.suffix()); // its steps run at the priority of its first job
    return eval;
  }

  /**
   * Marks tracked jobs completed with their results (JSON), and moves their chains on: one script call per
   * {@value #JOBS_PER_CALL} jobs ({@link #calls}), so that no call holds Redis for long whatever a read holds.
   */
  public List<Request> completed(List<String> idsAndResults, long now) {
    return chunked("done", idsAndResults, now, 2);
  }

  /** Marks tracked jobs dead, with their errors and attempts, and stops their chains; as {@link #completed}. */
  public List<Request> dead(List<String> idsErrorsAndAttempts, long now) {
    return chunked("dead", idsErrorsAndAttempts, now, 3);
  }

  /** Jobs per script call: a few milliseconds of Redis time at most. */
  public static final int JOBS_PER_CALL = 250;

  /** How many calls {@link #completed} or {@link #dead} makes for this many jobs. */
  public static int calls(int jobs) {
    return (jobs + JOBS_PER_CALL - 1) / JOBS_PER_CALL;
  }

  /** The chain changes the replies of such calls report. */
  public static List<ChainEvent> events(List<Response> replies) {
    List<ChainEvent> events = new ArrayList<>();
    replies.forEach(reply -> events.addAll(events(reply)));
    return events;
  }

  private List<Request> chunked(String mode, List<String> values, long now, int width) {
    List<Request> calls = new ArrayList<>();
    int step = JOBS_PER_CALL * width;
    for (int from = 0; from < values.size(); from += step) {
      calls.add(settle(mode, values.subList(from, Math.min(values.size(), from + step)), now, width));
    }
    return calls;
  }

  private Request settle(String mode, List<String> values, long now, int width) {
    // EVAL rather than EVALSHA: it is sent in a pipeline with the acknowledgement, where a NOSCRIPT (Redis restarted)
    // could not be retried before the entry is gone. Once per 250 jobs, its text costs little.
    Request eval = Request.cmd(Command.EVAL).arg(SETTLE).arg(1).arg(keys.service()).arg(mode).arg(now).arg(ttlSeconds)
        .arg(keys.record("")).arg(keys.chain("")).arg(keys.streamPrefix()).arg(keys.counters(""))
        .arg(keys.clientJobs("")).arg(JobRecords.KEPT_PER_CLIENT).arg(keys.indexPrefix());
    for (int i = 0; i < values.size(); i += width) {
      eval.arg(values.get(i)).arg(values.get(i + 1)).arg(width == 3 ? values.get(i + 2) : "");
    }
    return eval;
  }

  /**
   * The jobs that such calls found canceled: their workers' outcomes were dropped (a cancel overtook the news of it,
   * such as an external worker's complete sent just after the cancel's answer).
   */
  public static Set<String> canceled(List<Response> replies) {
    Set<String> ids = new HashSet<>();
    for (Response reply : replies) {
      Response found = reply == null ? null : reply.get(1);
      for (int i = 0; found != null && i < found.size(); i++) {
        ids.add(found.get(i).toString());
      }
    }
    return ids;
  }

  /** The chain changes a settlement reply reports. */
  public static List<ChainEvent> events(Response reply) {
    List<ChainEvent> events = new ArrayList<>();
    Response changes = reply == null ? null : reply.get(0);
    for (int i = 0; changes != null && i + 4 < changes.size(); i += 5) {
      events.add(new ChainEvent(changes.get(i).toString(), changes.get(i + 1).toString(), changes.get(i + 2).toString(),
          changes.get(i + 3).toInteger(), changes.get(i + 4).toString()));
    }
    return events;
  }
}
