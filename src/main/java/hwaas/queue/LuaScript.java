package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1, sent whole only when Redis does not know it yet (first use, or after a restart lost
 * its script cache): no load step at start, and the text crosses the wire once. Each call declares one key, which
 * routes it on a Redis Cluster to the primary of that key's slot; the keys the script then touches share that slot
 * (they all carry the service's hash tag there, see {@link StreamKeys#service()}).
 */
final class LuaScript {
  private final String text;
  private final String sha;

  LuaScript(String... lines) {
    this.text = String.join("\n", lines);
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  /** Runs the script with {@code routingKey} as its one declared key ({@code KEYS[1]}) and these arguments. */
  Future<Response> run(Redis redis, String routingKey, List<?> args) {
    return redis.send(request(Command.EVALSHA, sha, routingKey, args))
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")
            ? redis.send(request(Command.EVAL, text, routingKey, args))
            : Future.failedFuture(err));
  }

  private static Request request(Command command, String script, String routingKey, List<?> args) {
    Request req = Request.cmd(command).arg(script).arg(1).arg(routingKey);
    args.forEach(a -> req.arg(String.valueOf(a)));
    return req;
  }
}
