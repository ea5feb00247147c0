package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/** Reads the dead-letter stream and puts dead jobs back into the work stream, as fresh entries with fresh attempts. */
public final class DeadLetters {
  // KEYS[1]: dead stream. ARGV[1]: dead entry id, ARGV[2]: work stream name prefix, ARGV[3]: counters key prefix,
  // ARGV[4]: record key prefix, ARGV[5]: the console's index prefix, ARGV[6]: now (epoch millis), ARGV[7]: record TTL
  // (s). Moves the job to the stream of its type atomically (it counts as enqueued again); nil if the dead letter is
  // gone. A tracked job's record turns queued in the same script, before the entry can be read: written after it (as
  // it was, from the node), it could land after a worker had run the job, and leave a completed job "queued".
  private static final String REQUEUE = String.join("\n", JobRecords.REQUEUED_RECORD_LUA,
      "local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])",
      "if #e == 0 then return false end",
      "local f = e[1][2]",
      "local job, jobType",
      "for i = 1, #f, 2 do",
      "  if f[i] == 'job' then job = f[i + 1] end",
      "  if f[i] == 'type' then jobType = f[i + 1] end",
      "end",
      "if not job or not jobType then return redis.error_reply('dead entry ' .. ARGV[1] .. ' has no job or type') end",
      // As DeadBulk: the id of a job written by Job.toJson.
      "requeuedRecord(ARGV[4], ARGV[5], ARGV[6], ARGV[7], string.match(job, '\"id\":\"([^\"]*)\"'), job)",
      "local id = redis.call('XADD', ARGV[2] .. jobType, '*', 'job', job)",
      "redis.call('HINCRBY', ARGV[3] .. jobType, 'enqueued', 1)",
      "redis.call('XDEL', KEYS[1], ARGV[1])",
      "return id");

  private final Redis redis;
  private final StreamKeys keys;
  private final JobRecords records;

  public DeadLetters(Redis redis, StreamKeys keys, JobRecords records) {
    this.redis = redis;
    this.keys = keys;
    this.records = records;
  }

  /** Every dead letter, oldest first: {deadId, job (object), error, attempts, entry, failedAt}. */
  public Future<List<JsonObject>> list() {
    return range("-", "+");
  }

  /** One page of dead letters, oldest first, after {@code afterId} ({@code null}: from the start). */
  public Future<Page> page(String afterId, int limit) {
    return redis.send(Request.cmd(Command.XRANGE).arg(keys.dead()).arg(afterId == null ? "-" : "(" + afterId).arg("+")
            .arg("COUNT").arg(limit + 1))
        .map(entries -> {
          List<JsonObject> letters = letters(entries);
          boolean more = letters.size() > limit;
          List<JsonObject> shown = more ? letters.subList(0, limit) : letters;
          return new Page(shown, more ? shown.get(shown.size() - 1).getString("deadId") : null);
        });
  }

  /** @param next the id to page on from; {@code null} at the end */
  public record Page(List<JsonObject> letters, String next) {
  }

  /**
   * Keeps at most {@code max} dead letters, the newest: the requests to append after dead-lettering, and a way to read
   * how many went ({@link #trimmed}).
   */
  public static Request trim(StreamKeys keys, long max) {
    return Request.cmd(Command.XTRIM).arg(keys.dead()).arg("MAXLEN").arg(max);
  }

  /** How many dead letters a {@link #trim} reply says were dropped. */
  public static long trimmed(Response trimReply) {
    return trimReply == null ? 0 : trimReply.toLong();
  }

  private Future<List<JsonObject>> range(String from, String to) {
    return redis.send(Request.cmd(Command.XRANGE).arg(keys.dead()).arg(from).arg(to)).map(DeadLetters::letters);
  }

  private static List<JsonObject> letters(Response entries) {
    List<JsonObject> letters = new ArrayList<>();
    for (Response entry : entries) {
      letters.add(letter(entry));
    }
    return letters;
  }

  /** One stream entry [id, [field, value, ...]] as a dead letter. */
  static JsonObject letter(Response entry) {
    JsonObject letter = RedisPairs.toJson(entry.get(1)).put("deadId", entry.get(0).toString());
    String job = letter.getString("job");
    if (job != null && job.startsWith("{")) {
      letter.put("job", new JsonObject(job));
    }
    return letter;
  }

  /** Deletes one dead letter; false if there was none. */
  public Future<Boolean> delete(String deadId) {
    return redis.send(Request.cmd(Command.XDEL).arg(keys.dead()).arg(deadId)).map(n -> n.toLong() > 0);
  }

  /**
   * Puts a dead job back in its type's stream, with fresh attempts; the new entry id, or {@code null} if the dead
   * letter does not exist (any more).
   */
  public Future<String> requeue(String deadId) {
    return redis.send(Request.cmd(Command.EVAL).arg(REQUEUE).arg(1).arg(keys.dead()).arg(deadId).arg(keys.streamPrefix())
            .arg(keys.counters("")).arg(keys.record("")).arg(keys.indexPrefix()).arg(System.currentTimeMillis())
            .arg(records.ttlSeconds()))
        .map(id -> id == null ? null : id.toString());
  }
}
