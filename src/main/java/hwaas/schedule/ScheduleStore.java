package hwaas.schedule;

import hwaas.jobs.Job;
import hwaas.jobs.JobBatch;
import hwaas.queue.JobRecords;
import hwaas.queue.RedisPairs;
import hwaas.queue.StreamKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Schedules in Redis, and the one script that fires a tick: it checks that the definition is still the stored one and
 * that the tick is later than the last one fired, moves the last tick on, writes the job's record and appends the
 * job to its stream, atomically. However many nodes fire the same tick, one job results.
 */
public final class ScheduleStore {
  /** How a fire call ended. */
  public enum Fired { FIRED, SKIPPED, ALREADY, CHANGED }

  // ARGV[1]: schedules hash, [2]: ticks hash, [3]: name, [4]: the definition as the caller knows it, [5]: tick millis,
  // [6]: mode (fire: the tick's job; skip: move the tick on only; trigger: a job now, the tick left alone), [7]: record
  // key, [8]: record TTL seconds, [9]: job id, [10]: type, [11]: client, [12]: payload JSON, [13]: batch JSON,
  // [14]: stream, [15]: counters key, [16]: client index, [17]: jobs kept per client index, [18]: the console's index
  // prefix (JobIndex), [19]: the clients' sorted set.
  private static final String FIRE = String.join("\n",
      "if redis.call('HGET', ARGV[1], ARGV[3]) ~= ARGV[4] then return 'CHANGED' end",
      "if ARGV[6] ~= 'trigger' then",
      "  if tonumber(ARGV[5]) <= tonumber(redis.call('HGET', ARGV[2], ARGV[3]) or '0') then return 'ALREADY' end",
      "  redis.call('HSET', ARGV[2], ARGV[3], ARGV[5])",
      "  if ARGV[6] == 'skip' then return 'SKIPPED' end",
      "end",
      "redis.call('HSET', ARGV[7], 'type', ARGV[10], 'client', ARGV[11], 'status', 'queued',",
      "  'payload', ARGV[12], 'createdAt', ARGV[5], 'schedule', ARGV[3], 'tick', ARGV[5],",
      "  'ev:' .. ARGV[5] .. ':queued', 'schedule ' .. ARGV[3])",
      "redis.call('SADD', ARGV[18] .. 'types', ARGV[10])",
      "redis.call('ZADD', ARGV[18] .. 'type:' .. ARGV[10], ARGV[5], ARGV[9])",
      "redis.call('ZADD', ARGV[18] .. 'state:queued', ARGV[5], ARGV[9])",
      "redis.call('ZADD', ARGV[19], ARGV[5], ARGV[11])",
      "redis.call('EXPIRE', ARGV[7], ARGV[8])",
      "redis.call('ZADD', ARGV[16], ARGV[5], ARGV[9])",
      "redis.call('ZREMRANGEBYRANK', ARGV[16], 0, -tonumber(ARGV[17]) - 1)",
      "redis.call('EXPIRE', ARGV[16], ARGV[8])",
      "redis.call('XADD', ARGV[14], '*', 'jobs', '[' .. ARGV[13] .. ']')",
      "redis.call('HINCRBY', ARGV[15], 'enqueued', 1)",
      "return 'FIRED'");

  private final Redis redis;
  private final StreamKeys keys;
  private final Duration recordTtl;

  public ScheduleStore(Redis redis, StreamKeys keys, Duration recordTtl) {
    this.redis = redis;
    this.keys = keys;
    this.recordTtl = recordTtl;
  }

  /**
   * Creates or replaces a schedule. Its last tick becomes the latest one up to now, so creating it fires nothing for
   * the past.
   */
  public Future<Void> put(Schedule schedule, Instant now) {
    Instant latest = schedule.ticks().latest(now).orElse(Instant.EPOCH);
    return redis.batch(List.of(
            Request.cmd(Command.HSET).arg(keys.schedules()).arg(schedule.name()).arg(schedule.toJson().encode()),
            Request.cmd(Command.HSET).arg(keys.scheduleTicks()).arg(schedule.name()).arg(latest.toEpochMilli())))
        .mapEmpty();
  }

  /** Answers whether there was one. */
  public Future<Boolean> delete(String name) {
    return redis.batch(List.of(Request.cmd(Command.HDEL).arg(keys.schedules()).arg(name),
            Request.cmd(Command.HDEL).arg(keys.scheduleTicks()).arg(name)))
        .map(replies -> replies.get(0).toInteger() == 1);
  }

  /** Every stored schedule, by name, with its definition text (as fire wants it) and its last tick (0: none). */
  public Future<Map<String, Stored>> all() {
    return redis.batch(List.of(Request.cmd(Command.HGETALL).arg(keys.schedules()),
            Request.cmd(Command.HGETALL).arg(keys.scheduleTicks())))
        .map(replies -> {
          Map<String, Long> ticks = new LinkedHashMap<>();
          pairs(replies.get(1)).forEach((name, tick) -> ticks.put(name, Long.parseLong(tick)));
          Map<String, Stored> all = new LinkedHashMap<>();
          pairs(replies.get(0)).forEach((name, text) -> all.put(name,
              new Stored(Schedule.fromJson(new JsonObject(text)), text, ticks.getOrDefault(name, 0L))));
          return all;
        });
  }

  // KEYS[1]: the scheduled set. Replies {the jobs waiting: those after the mover's mark (StreamKeys.scheduledMoved),
  // when the first of them is due ('0': none)}.
  private static final String WAITING = String.join("\n",
      "local after = '(' .. (redis.call('GET', KEYS[1] .. ':moved') or '0')",
      "local first = redis.call('ZRANGEBYSCORE', KEYS[1], after, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)",
      "return {redis.call('ZCOUNT', KEYS[1], after, '+inf'), first[2] or '0'}");

  /** How many delayed jobs wait ({@code delay}, {@code runAt}), and when the first is due (epoch millis; 0: none). */
  public Future<Delayed> delayed() {
    return redis.send(Request.cmd(Command.EVAL).arg(WAITING).arg(1).arg(keys.scheduled()))
        .map(reply -> new Delayed(reply.get(0).toLong(), (long) Double.parseDouble(reply.get(1).toString())));
  }

  public record Delayed(long count, long nextDue) {
  }

  /** A schedule as Redis has it. */
  public record Stored(Schedule schedule, String text, long lastTick) {
  }

  /** Fires {@code tick} of a stored schedule, or skips it (its job's id: {@link #tickJobId}); see the script. */
  public Future<Fired> fire(Stored stored, Instant tick, String mode) {
    return fire(stored, tick, mode, tickJobId(stored.schedule().name(), tick));
  }

  /** A job of the schedule now, outside its ticks, with this id. */
  public Future<Fired> trigger(Stored stored, Instant now, String jobId) {
    return fire(stored, now, "trigger", jobId);
  }

  private Future<Fired> fire(Stored stored, Instant tick, String mode, String id) {
    Schedule s = stored.schedule();
    JsonObject job = s.job();
    String type = job.getString("type");
    String payload = job.getJsonObject("payload").encode();
    String batch = new JobBatch(id, type, tick.toEpochMilli(), job.getJsonObject("payload"), true, List.of(id)).toJson().encode();
    Request fire = Request.cmd(Command.EVAL).arg(FIRE).arg(1).arg(keys.service()).arg(keys.schedules()).arg(keys.scheduleTicks()).arg(s.name())
        .arg(stored.text()).arg(tick.toEpochMilli()).arg(mode).arg(keys.record(id)).arg(Math.max(1, recordTtl.toSeconds()))
        .arg(id).arg(type).arg(job.getString("client")).arg(payload).arg(batch).arg(keys.stream(type))
        .arg(keys.counters(type)).arg(keys.clientJobs(job.getString("client"))).arg(JobRecords.KEPT_PER_CLIENT)
        .arg(keys.indexPrefix()).arg(keys.clients());
    return redis.send(fire).map(reply -> Fired.valueOf(reply.toString()));
  }

  /** A tick's job has the same id wherever it is fired. */
  public static String tickJobId(String name, Instant tick) {
    return Job.derivedId(name + "\n" + tick.toEpochMilli());
  }

  private static Map<String, String> pairs(Response hash) {
    Map<String, String> pairs = new LinkedHashMap<>();
    RedisPairs.toJson(hash).forEach(e -> pairs.put(e.getKey(), String.valueOf(e.getValue())));
    return pairs;
  }
}
