package hwaas.queue;

import io.vertx.core.json.JsonObject;

/**
 * One unit of work. The id is {@code <client>:<sequence>}, unique for the life of the service, so
 * a retried submission is recognised and an audit can count what was printed against what was sent.
 *
 * @param sentAt  epoch milliseconds at which the client first sent the job
 * @param tracked whether the job has a status record (jobs submitted over the API); client verticles' print
 *                jobs do not, so the hot path writes nothing but the stream
 */
public record Job(String id, String type, String client, long seq, long sentAt, JsonObject payload, boolean tracked) {

  public static final String PRINT = "print";

  public Job {
    requireText(id, "id");
    requireText(type, "type");
    requireText(client, "client");
    if (seq < 0) {
      throw new IllegalArgumentException("job field 'seq' must be 0 or more, got " + seq);
    }
    if (payload == null) {
      throw new IllegalArgumentException("job field 'payload' must be an object");
    }
  }

  public static Job print(String client, long seq, long sentAt, String message) {
    return new Job(client + ":" + seq, PRINT, client, seq, sentAt, new JsonObject().put("message", message), false);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id).put("type", type).put("client", client).put("seq", seq).put("sentAt", sentAt)
        .put("payload", payload);
    return tracked ? json.put("tracked", true) : json;
  }

  /** Reads a job strictly (no coercion of numbers to text or back), naming the field that is wrong. */
  public static Job fromJson(JsonObject json) {
    if (json == null) {
      throw new IllegalArgumentException("job must be a JSON object");
    }
    Object payload = json.getValue("payload");
    if (!(payload instanceof JsonObject object)) {
      throw new IllegalArgumentException("job field 'payload' must be an object");
    }
    Object tracked = json.getValue("tracked");
    if (tracked != null && !(tracked instanceof Boolean)) {
      throw new IllegalArgumentException("job field 'tracked' must be a boolean");
    }
    return new Job(text(json, "id"), text(json, "type"), text(json, "client"), integer(json, "seq"),
        integer(json, "sentAt"), object, Boolean.TRUE.equals(tracked));
  }

  private static String text(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException("job field '" + field + "' must be a non-empty string");
    }
    return s;
  }

  private static long integer(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new IllegalArgumentException("job field '" + field + "' must be an integer");
    }
    return ((Number) value).longValue();
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("job field '" + field + "' must be a non-empty string");
    }
  }
}
