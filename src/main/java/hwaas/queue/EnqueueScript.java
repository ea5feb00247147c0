package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends jobs to the stream in one round trip, idempotently: a job id seen before gets back its first
 * entry id and adds nothing, so a client may retry a submission whose reply it never received.
 */
final class EnqueueScript {
  // ARGV[1]: stream name prefix, ARGV[2]: idempotency key prefix, ARGV[3]: its TTL in seconds,
  // then (job id, job type, job JSON) triples. The job's type names its stream.
  private static final String LUA = String.join("\n",
      "local ids = {}",
      "for i = 4, #ARGV, 3 do",
      "  local key = ARGV[2] .. ARGV[i]",
      "  local id = redis.call('GET', key)",
      "  if not id then",
      "    id = redis.call('XADD', ARGV[1] .. ARGV[i + 1], '*', 'job', ARGV[i + 2])",
      "    redis.call('SET', key, id, 'EX', ARGV[3])",
      "  end",
      "  ids[#ids + 1] = id",
      "end",
      "return ids");

  private final Redis redis;
  private final StreamKeys keys;
  private final String ttlSeconds;
  private String sha;

  EnqueueScript(Redis redis, StreamKeys keys, Duration ttl) {
    this.redis = redis;
    this.keys = keys;
    this.ttlSeconds = Long.toString(ttl.toSeconds());
  }

  Future<Void> load() {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(LUA))
        .map(sha -> {
          this.sha = sha.toString();
          return null;
        });
  }

  /** The stream entry id of each job, in order. */
  Future<List<String>> enqueue(List<Job> jobs) {
    return redis.send(request(Command.EVALSHA, sha, jobs))
        .recover(err -> isNoScript(err)
            // Redis restarted and lost its script cache: EVAL also caches it again.
            ? redis.send(request(Command.EVAL, LUA, jobs))
            : Future.failedFuture(err))
        .map(EnqueueScript::entryIds);
  }

  private Request request(Command command, String script, List<Job> jobs) {
    Request req = Request.cmd(command).arg(script).arg(0).arg(keys.streamPrefix())
        .arg(keys.idempotencyPrefix()).arg(ttlSeconds);
    for (Job job : jobs) {
      req.arg(job.id()).arg(job.type()).arg(job.toJson().encode());
    }
    return req;
  }

  private static boolean isNoScript(Throwable err) {
    return err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT");
  }

  private static List<String> entryIds(Response reply) {
    List<String> ids = new ArrayList<>(reply.size());
    for (Response id : reply) {
      ids.add(id.toString());
    }
    return ids;
  }
}
