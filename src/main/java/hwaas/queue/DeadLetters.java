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
  // KEYS[1]: dead stream, KEYS[2]: work stream. ARGV[1]: dead entry id. Moves the job atomically; nil if gone.
  private static final String REQUEUE = String.join("\n",
      "local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])",
      "if #e == 0 then return false end",
      "local f = e[1][2]",
      "for i = 1, #f, 2 do",
      "  if f[i] == 'job' then",
      "    local id = redis.call('XADD', KEYS[2], '*', 'job', f[i + 1])",
      "    redis.call('XDEL', KEYS[1], ARGV[1])",
      "    return id",
      "  end",
      "end",
      "return redis.error_reply('dead entry ' .. ARGV[1] .. ' has no job')");

  private final Redis redis;
  private final StreamKeys keys;

  public DeadLetters(Redis redis, StreamKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Every dead letter, oldest first: {deadId, job (object), error, attempts, entry, failedAt}. */
  public Future<List<JsonObject>> list() {
    return redis.send(Request.cmd(Command.XRANGE).arg(keys.dead()).arg("-").arg("+")).map(entries -> {
      List<JsonObject> letters = new ArrayList<>();
      for (Response entry : entries) {
        JsonObject letter = new JsonObject().put("deadId", entry.get(0).toString());
        Response fields = entry.get(1);
        for (int i = 0; i + 1 < fields.size(); i += 2) {
          String name = fields.get(i).toString();
          String value = fields.get(i + 1).toString();
          letter.put(name, name.equals("job") && value.startsWith("{") ? new JsonObject(value) : value);
        }
        letters.add(letter);
      }
      return letters;
    });
  }

  /** The new work-stream entry id; fails if the dead letter does not exist (any more). */
  public Future<String> requeue(String deadId) {
    return redis.send(Request.cmd(Command.EVAL).arg(REQUEUE).arg(2).arg(keys.dead()).arg(keys.stream()).arg(deadId))
        .compose(id -> id == null
            ? Future.failedFuture("no dead letter " + deadId)
            : Future.succeededFuture(id.toString()));
  }
}
