package hwaas.queue;

import hwaas.jobs.Job;
import hwaas.jobs.JobBatch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * How jobs sit in a stream entry: the queue writes the field {@code jobs}, a JSON array of the batches it wrote
 * together; a dead letter is requeued as the field {@code job}, one job. The one place that reads either.
 */
public final class StreamEntry {
  public static final String JOBS = "jobs";
  public static final String JOB = "job";

  private StreamEntry() {
  }

  /**
   * The jobs of an entry, from its RESP2 {@code [field, value, ...]} list.
   *
   * @throws IllegalArgumentException naming what is wrong, when the entry holds no readable jobs
   */
  public static List<Job> jobs(Response fields) {
    for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
      String name = fields.get(i).toString();
      if (name.equals(JOBS) || name.equals(JOB)) {
        String raw = fields.get(i + 1).toString();
        try {
          return name.equals(JOBS) ? batches(new JsonArray(raw)) : List.of(Job.fromJson(new JsonObject(raw)));
        } catch (RuntimeException e) { // DecodeException for text that is not JSON
          throw new IllegalArgumentException(e.getMessage() + " in " + raw, e);
        }
      }
    }
    throw new IllegalArgumentException("entry has no '" + JOBS + "' field");
  }

  private static List<Job> batches(JsonArray batches) {
    List<Job> jobs = new ArrayList<>();
    for (Object batch : batches) {
      if (!(batch instanceof JsonObject json)) {
        throw new IllegalArgumentException("a batch must be a JSON object");
      }
      jobs.addAll(JobBatch.fromJson(json).jobs());
    }
    return jobs;
  }
}
