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

  public Request store(String type, JsonObject payload, String result) {
    return Request.cmd(Command.SET).arg(key(type, payload)).arg(result).arg("EX").arg(ttlSeconds);
  }

  private String key(String type, JsonObject payload) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(payload.encode().getBytes(StandardCharsets.UTF_8));
      return keys.cache(type, HexFormat.of().formatHex(digest, 0, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
