package hwaas.worker;

import hwaas.queue.Job;
import hwaas.queue.JobBatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A stream entry as a worker sees it: the jobs it still has to run (or why it holds none), the jobs of it that
 * finished in earlier attempts, and how many times Redis has delivered it. An entry is acknowledged only once
 * every job in it has finished.
 *
 * @param doneBefore ids of its jobs that finished in an earlier attempt, not to run again
 * @param deliveries this delivery included, so 1 on the first attempt
 */
record Entry(String entryId, List<Job> jobs, List<String> doneBefore, String error, long deliveries) {

  static Entry unreadable(String entryId, String error, long deliveries) {
    return new Entry(entryId, List.of(), List.of(), error, deliveries);
  }

  /** This entry without the jobs that an earlier attempt finished. */
  Entry without(Set<String> done) {
    if (done.isEmpty()) {
      return this;
    }
    List<Job> left = jobs.stream().filter(job -> !done.contains(job.id())).toList();
    return new Entry(entryId, left, List.copyOf(done), error, deliveries);
  }

  /** Entries of a RESP2 {@code [[id, [field, value, ...]], ...]} list, as XREADGROUP, XRANGE and XCLAIM return them. */
  static List<Entry> parseAll(Response list, long deliveries) {
    List<Entry> entries = new ArrayList<>(list.size());
    for (Response raw : list) {
      if (raw != null && raw.size() == 2) {
        entries.add(parse(raw.get(0).toString(), raw.get(1), deliveries));
      }
    }
    return entries;
  }

  private static Entry parse(String entryId, Response fields, long deliveries) {
    String field = null;
    String raw = null;
    for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
      String name = fields.get(i).toString();
      if (name.equals("jobs") || name.equals("job")) {
        field = name;
        raw = fields.get(i + 1).toString();
      }
    }
    if (raw == null) {
      return unreadable(entryId, "entry has no 'jobs' field", deliveries);
    }
    try {
      return new Entry(entryId, field.equals("jobs") ? jobsOf(new JsonArray(raw)) : List.of(Job.fromJson(new JsonObject(raw))),
          List.of(), null, deliveries);
    } catch (RuntimeException e) {
      return unreadable(entryId, e.getMessage() + " in " + raw, deliveries);
    }
  }

  // 'jobs' holds the batches the queue wrote together; 'job' (one job) is what a dead letter is requeued as.
  private static List<Job> jobsOf(JsonArray batches) {
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
