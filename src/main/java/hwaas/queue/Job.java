package hwaas.queue;

import io.vertx.core.json.JsonObject;

/**
 * One unit of work. The id is {@code <client>:<sequence>}, unique for the life of the service, so
 * a retried submission is recognised and an audit can count what was printed against what was sent.
 *
 * @param sentAt epoch milliseconds at which the client first sent the job
 */
public record Job(String id, String type, String client, long seq, long sentAt, JsonObject payload) {

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
    return new Job(client + ":" + seq, PRINT, client, seq, sentAt, new JsonObject().put("message", message));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id).put("type", type).put("client", client).put("seq", seq).put("sentAt", sentAt)
        .put("payload", payload);
  }

  /** Reads a job, naming the field that is missing or of the wrong type. */
  public static Job fromJson(JsonObject json) {
    if (json == null) {
      throw new IllegalArgumentException("job must be a JSON object");
    }
    try {
      Long seq = json.getLong("seq");
      Long sentAt = json.getLong("sentAt");
      if (seq == null || sentAt == null) {
        throw new IllegalArgumentException("job fields 'seq' and 'sentAt' must be numbers");
      }
      return new Job(json.getString("id"), json.getString("type"), json.getString("client"), seq, sentAt,
          json.getJsonObject("payload"));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("job has a field of the wrong type: " + json.encode());
    }
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("job field '" + field + "' must be a non-empty string");
    }
  }
}
