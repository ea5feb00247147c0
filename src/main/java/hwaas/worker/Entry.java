package hwaas.worker;

import hwaas.jobs.Job;
import hwaas.queue.StreamEntry;
import io.vertx.core.json.JsonArray;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A stream entry as a worker sees it: the queue it came from (its type's stream of one priority), the jobs it still
 * has to run (or why it holds none), the jobs of it that finished in earlier attempts, and how many times Redis has
 * delivered it. An entry is acknowledged only once every job in it has finished.
 *
 * @param queue      the queue's name ({@code sum}, {@code sum:high}): its stream, errors and finished jobs are keyed by it
 * @param doneBefore ids of its jobs that finished in an earlier attempt, not to run again
 * @param deliveries this delivery included, so 1 on the first attempt
 */
record Entry(String queue, String entryId, List<Job> jobs, List<String> doneBefore, String error, String raw, long deliveries) {

  /** An entry with no runnable job: {@code raw} holds its fields as they were, for the dead letter. */
  static Entry unreadable(String queue, String entryId, String error, String raw, long deliveries) {
    return new Entry(queue, entryId, List.of(), List.of(), error, raw, deliveries);
  }

  /** This entry without the jobs that an earlier attempt finished. */
  Entry without(Set<String> done) {
    if (done.isEmpty()) {
      return this;
    }
    List<Job> left = jobs.stream().filter(job -> !done.contains(job.id())).toList();
    return new Entry(queue, entryId, left, List.copyOf(done), error, raw, deliveries);
  }

  /** Entries of a RESP2 {@code [[id, [field, value, ...]], ...]} list, as XREADGROUP, XRANGE and XCLAIM return them. */
  static List<Entry> parseAll(String queue, Response list, long deliveries) {
    List<Entry> entries = new ArrayList<>(list.size());
    for (Response raw : list) {
      if (raw != null && raw.size() == 2) {
        entries.add(parse(queue, raw.get(0).toString(), raw.get(1), deliveries));
      }
    }
    return entries;
  }

  private static Entry parse(String queue, String entryId, Response fields, long deliveries) {
    try {
      return new Entry(queue, entryId, StreamEntry.jobs(fields), List.of(), null, null, deliveries);
    } catch (IllegalArgumentException e) {
      JsonArray raw = new JsonArray();
      for (int i = 0; fields != null && i < fields.size(); i++) {
        raw.add(String.valueOf(fields.get(i)));
      }
      return unreadable(queue, entryId, e.getMessage(), raw.encode(), deliveries);
    }
  }
}
