package hwaas.jobs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Jobs sent together that share a type, a send time and a payload: the unit a client submits, the queue
 * writes and a stream entry holds (one entry holds the batches of one type that the queue wrote together).
 * Coalescing makes the event bus and Redis work per tick rather than per job; each job keeps its own id,
 * its own audit line, its own status and its own retries.
 *
 * @param key the submission's idempotency key: a batch resent with the same key is not added again
 * @param ids the jobs' ids, in order
 */
public record JobBatch(String key, String type, long sentAt, JsonObject payload, boolean tracked, List<String> ids) {
  /** Most jobs one batch may carry; the queue also caps the jobs of one stream entry near this. */
  public static final int MAX_JOBS = 1000;

  public JobBatch {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("batch field 'key' must be a non-empty string");
    }
    if (ids == null || ids.isEmpty() || ids.size() > MAX_JOBS) {
      throw new IllegalArgumentException("batch field 'ids' must hold 1 to " + MAX_JOBS + " job ids");
    }
    ids = List.copyOf(ids);
    new Job(ids.get(0), type, sentAt, payload, tracked); // validates the shared fields, naming the wrong one
  }

  /** A batch of one: the job's id is its key. */
  public static JobBatch of(Job job) {
    return new JobBatch(job.id(), job.type(), job.sentAt(), job.payload(), job.tracked(), List.of(job.id()));
  }

  public int size() {
    return ids.size();
  }

  public List<Job> jobs() {
    List<Job> jobs = new ArrayList<>(ids.size());
    for (String id : ids) {
      jobs.add(new Job(id, type, sentAt, payload, tracked));
    }
    return jobs;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("key", key).put("type", type).put("sentAt", sentAt).put("payload", payload);
    if (tracked) {
      json.put("tracked", true);
    }
    return json.put("ids", new JsonArray(new ArrayList<>(ids)));
  }

  /** Reads a batch strictly, naming the field that is wrong. */
  public static JobBatch fromJson(JsonObject json) {
    if (json == null) {
      throw new IllegalArgumentException("batch must be a JSON object");
    }
    Object ids = json.getValue("ids");
    if (!(ids instanceof JsonArray array)) {
      throw new IllegalArgumentException("batch field 'ids' must be an array of job ids");
    }
    List<String> list = new ArrayList<>(array.size());
    for (Object id : array) {
      if (!(id instanceof String s) || s.isEmpty()) {
        throw new IllegalArgumentException("batch field 'ids' must hold non-empty strings, got " + id);
      }
      list.add(s);
    }
    return new JobBatch(Job.text(json, "key"), Job.text(json, "type"), Job.integer(json, "sentAt"), Job.object(json, "payload"),
        Job.flag(json, "tracked"), list);
  }
}
