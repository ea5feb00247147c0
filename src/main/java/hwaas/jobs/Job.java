package hwaas.jobs;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One unit of work. A client's job id is {@code <client>:<sequence>}, unique for the life of the service, so
 * an audit can count what was printed against what was sent; API jobs have ids of their own.
 *
 * @param sentAt  epoch milliseconds at which the client first sent the job
 * @param tracked whether the job has a status record (jobs submitted over the API); client print jobs do
 *                not, so the hot path writes nothing but the stream
 */
public record Job(String id, String type, long sentAt, JsonObject payload, boolean tracked) {

  public static final String PRINT = "print";

  public Job {
    requireText(id, "id");
    requireText(type, "type");
    if (payload == null) {
      throw new IllegalArgumentException("job field 'payload' must be an object");
    }
  }

  public static Job print(String client, long seq, long sentAt, String message) {
    return new Job(id(client, seq), PRINT, sentAt, new JsonObject().put("message", message), false);
  }

  /** The id of a client's job number {@code seq}. */
  public static String id(String client, long seq) {
    return client + ":" + seq;
  }

  /**
   * The id of an API job named by {@code seed} (a client and its Idempotency-Key, a schedule and its tick): the same
   * seed gives the same id wherever it is computed, so a retry or a second node names the same job.
   */
  public static String derivedId(String seed) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(seed.getBytes(StandardCharsets.UTF_8));
      return "api-" + HexFormat.of().formatHex(digest, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** The client's sequence number, read from an id {@code <client>:<seq>}; -1 for ids of another form (API jobs). */
  public long seq() {
    int colon = id.lastIndexOf(':');
    if (colon < 0 || colon == id.length() - 1) {
      return -1;
    }
    long seq = 0;
    for (int i = colon + 1; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9' || seq > Long.MAX_VALUE / 10 - 1) {
        return -1;
      }
      seq = seq * 10 + (c - '0');
    }
    return seq;
  }

  /** The form of a single job kept in dead letters (and written by versions before batches). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("type", type).put("sentAt", sentAt).put("payload", payload);
    return tracked ? json.put("tracked", true) : json;
  }

  /** Reads a job strictly (no coercion of numbers to text or back), naming the field that is wrong. */
  public static Job fromJson(JsonObject json) {
    if (json == null) {
      throw new IllegalArgumentException("job must be a JSON object");
    }
    return new Job(text(json, "id"), text(json, "type"), integer(json, "sentAt"), object(json, "payload"), flag(json, "tracked"));
  }

  static JsonObject object(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException("job field '" + field + "' must be an object");
    }
    return object;
  }

  static String text(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException("job field '" + field + "' must be a non-empty string");
    }
    return s;
  }

  static long integer(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new IllegalArgumentException("job field '" + field + "' must be an integer");
    }
    return ((Number) value).longValue();
  }

  static boolean flag(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw new IllegalArgumentException("job field '" + field + "' must be a boolean");
    }
    return Boolean.TRUE.equals(value);
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("job field '" + field + "' must be a non-empty string");
    }
  }
}
