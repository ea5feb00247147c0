package hwaas.queue;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/** Results of pure job types (sum, multiply) by type and payload, so the same question is answered once. */
public final class ResultCache {
  private final StreamKeys keys;
  private final String ttlSeconds;

  public ResultCache(StreamKeys keys, Duration ttl) {
    this.keys = keys;
    this.ttlSeconds = Long.toString(ttl.toSeconds());
  }

  public Request lookup(String type, JsonObject payload) {
    return Request.cmd(Command.GET).arg(key(type, payload));
  }

  // KEYS[1]: the entry; ARGV[1]: the result, ARGV[2]: TTL in seconds. Best effort: Redis at its memory limit refuses
  // the SET, and the result is simply not cached (1 if it was, 0 if not), so that it never fails the settlement it
  // is written with.
  private static final String STORE = String.join("\n",
      "local r = redis.pcall('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])",
      "if type(r) == 'table' and r.err then return 0 end",
      "return 1");

  public Request store(String type, JsonObject payload, String result) {
    return Request.cmd(Command.EVAL).arg(STORE).arg(1).arg(key(type, payload)).arg(result).arg(ttlSeconds);
  }

  private String key(String type, JsonObject payload) {
    return keys.cache(type, digest(payload));
  }

  /**
   * What names a cached result: its type and its payload's digest. On a Redis Cluster a cacheable job goes to the
   * partition this names (hwaas.http.JobsApi), so the result is cached where the next such job looks.
   */
  public static String digest(String type, JsonObject payload) {
    return type + ":" + digest(payload);
  }

  private static String digest(JsonObject payload) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(payload.encode().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
