package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import java.util.List;

/**
 * The console's actions on one job that is not dead: retry now, and delete. Each is one script, so the check of the
 * job's status and the change are atomic; cancelling goes through {@link JobCancel}, the one way to cancel.
 * <ul>
 *   <li><b>Retry now</b>: a job waiting out the back-off after a failed attempt (status {@code failed}) gets its stream
 *   entry's idle time pushed past any back-off ({@code XCLAIM ... IDLE ... JUSTID} to the consumer that holds it: no
 *   delivery is counted, so its attempts stay as they were), and the next sweep of a reclaimer (every half of the type's
 *   shorter of visibility timeout and base back-off) runs it. The other failed jobs of the same entry (a batch submitted
 *   together) retry with it.</li>
 *   <li><b>Delete</b>: a completed job's record goes, with its entries in the console's indexes. A queued, scheduled or
 *   retrying job is canceled first (a job of a chain cancels its chain, as a cancel does). A canceled job may still have
 *   an entry waiting in a stream, and a worker skips it only because its record says canceled: its record is cut down
 *   to a tombstone ({@code status canceled, deleted}: no payload, no history, unknown to the API) that expires with the
 *   record. A running job is refused (cancel it, then delete), and so is a dead one (its dead letter is deleted in the
 *   dead letters).</li>
 * </ul>
 */
public final class JobActions {
  /** Pending entries with a noted error looked at, at most, to find the one of a job: failing entries are few. */
  static final int ENTRIES_LOOKED_AT = 10_000;
  /** The idle time a retry now gives an entry: beyond the longest back-off (60 s). */
  static final long PAST_ANY_BACKOFF_MILLIS = 86_400_000L;

  // ARGV: 1 job id, 2 record prefix, 3 stream prefix, 4 errors prefix, 5 group, 6 most entries to look at, 7 idle ms,
  // 8 now. Replies {status ('' if no record), entry id made due ('' if none found)}.
  private static final LuaScript RETRY_NOW = new LuaScript(ScriptFlags.ALLOW_OOM, JobRecords.STATUS_NOW_LUA,
      "local id = ARGV[1]",
      "local rec = ARGV[2] .. id",
      "local r = redis.call('HMGET', rec, 'status', 'type', 'priority', 'deleted', 'attempts', 'runAt')",
      "if redis.call('EXISTS', rec) == 0 or r[4] then return {'', ''} end",
      "local status = statusNow(r[1], r[6], tonumber(ARGV[8]))",
      "if status ~= 'failed' then return {status or 'queued', ''} end",
      "local queue = r[2]",
      "if r[3] and r[3] ~= 'normal' then queue = queue .. ':' .. r[3] end",
      // An entry's batches name their jobs in "ids" (a job of its own in "id"): the id in quotes is in no other.
      "local stream, needle = ARGV[3] .. queue, '\"' .. id .. '\"'",
      "local entries = redis.call('HKEYS', ARGV[4] .. queue)",
      "for n, e in ipairs(entries) do",
      "  if n > tonumber(ARGV[6]) then break end",
      "  local x = redis.call('XRANGE', stream, e, e)",
      "  if #x > 0 then",
      "    local f = x[1][2]",
      "    for k = 1, #f, 2 do",
      "      if (f[k] == 'jobs' or f[k] == 'job') and string.find(f[k + 1], needle, 1, true) then",
      "        local p = redis.call('XPENDING', stream, ARGV[5], e, e, 1)",
      // Delivered again since the failed attempt (a reclaimer took it a moment ago): its retry is under way already.
      "        if #p == 0 or (r[5] and tonumber(p[1][4]) > tonumber(r[5])) then return {'failed', ''} end",
      "        redis.call('XCLAIM', stream, ARGV[5], p[1][2], 0, e, 'IDLE', ARGV[7], 'JUSTID')",
      "        redis.call('HSET', rec, 'ev:' .. ARGV[8] .. ':retry', 'retry now')",
      "        return {'failed', e}",
      "      end",
      "    end",
      "  end",
      "end",
      "return {'failed', ''}");

  // ARGV: 1 job id, 2 record prefix, 3 index prefix, 4 client index prefix, 5 now, 6 the states, space-separated.
  // Deletes a completed or canceled job (see the class); replies with the status it had ('' if no record), prefixed
  // 'deleted:' when it was deleted.
  private static final LuaScript DELETE = new LuaScript(ScriptFlags.ALLOW_OOM,
      "local id = ARGV[1]",
      "local rec = ARGV[2] .. id",
      "local r = redis.call('HMGET', rec, 'status', 'type', 'client', 'deleted')",
      "if redis.call('EXISTS', rec) == 0 or r[4] then return '' end",
      "local status = r[1] or 'queued'",
      "if status ~= 'completed' and status ~= 'canceled' then return status end",
      "local idx = ARGV[3]",
      "if r[2] then redis.call('ZREM', idx .. 'type:' .. r[2], id) end",
      "if r[3] then redis.call('ZREM', ARGV[4] .. r[3], id) end",
      "for s in string.gmatch(ARGV[6], '%S+') do redis.call('ZREM', idx .. 'state:' .. s, id) end",
      "if status == 'completed' then redis.call('DEL', rec) else",
      "  local ttl = redis.call('TTL', rec)",
      "  redis.call('DEL', rec)",
      "  redis.call('HSET', rec, 'status', 'canceled', 'deleted', ARGV[5])",
      "  redis.call('EXPIRE', rec, math.max(1, ttl))",
      "end",
      "return 'deleted:' .. status");

  private static final List<String> CANCELED_FIRST = List.of("queued", "scheduled", "failed");

  private final Redis redis;
  private final Partitions partitions;
  private final JobCancel cancel;

  /** @param partitions where API jobs live: each job's record and indexes in the partition its id names */
  public JobActions(Redis redis, Partitions partitions, JobCancel cancel) {
    this.redis = redis;
    this.partitions = partitions;
    this.cancel = cancel;
  }

  /**
   * What an action found.
   *
   * @param before the job's status before the action
   * @param done   whether it acted: false when the job's status does not allow it
   */
  public record Outcome(String before, boolean done) {
  }

  /** Makes a retrying job run at once; {@code null} if there is no such job. */
  public Future<Outcome> retryNow(String jobId) {
    StreamKeys keys = partitions.ofJobKeys(jobId);
    return RETRY_NOW.run(redis, keys.service(), List.of(jobId, keys.record(""), keys.streamPrefix(), keys.errors(""), StreamKeys.GROUP,
            ENTRIES_LOOKED_AT, PAST_ANY_BACKOFF_MILLIS, System.currentTimeMillis()))
        .map(reply -> {
          String before = reply.get(0).toString();
          return before.isEmpty() ? null : new Outcome(before, !reply.get(1).toString().isEmpty());
        });
  }

  /** Deletes a job as the class says; {@code null} if there is no such job. */
  public Future<Outcome> delete(String jobId) {
    return deleteFinished(jobId).compose(outcome -> {
      if (outcome == null || outcome.done() || !CANCELED_FIRST.contains(outcome.before())) {
        return Future.succeededFuture(outcome);
      }
      return cancel.cancel(jobId).compose(canceled -> canceled == null ? Future.succeededFuture(null)
          : deleteFinished(jobId).map(deleted -> deleted == null ? null : new Outcome(outcome.before(), deleted.done())));
    });
  }

  private Future<Outcome> deleteFinished(String jobId) {
    StreamKeys keys = partitions.ofJobKeys(jobId);
    return DELETE.run(redis, keys.service(), List.of(jobId, keys.record(""), keys.indexPrefix(), keys.clientJobs(""),
            System.currentTimeMillis(), String.join(" ", JobIndex.STATES)))
        .map(reply -> {
          String status = reply.toString();
          if (status.isEmpty()) {
            return null;
          }
          boolean deleted = status.startsWith("deleted:");
          return new Outcome(deleted ? status.substring("deleted:".length()) : status, deleted);
        });
  }
}
