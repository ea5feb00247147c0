package hwaas.worker;

import hwaas.queue.Job;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * A stream entry as a worker sees it: the job (or why it is not one) and how many times Redis has delivered it.
 *
 * @param deliveries this delivery included, so 1 on the first attempt
 */
record Entry(String entryId, Job job, String error, long deliveries) {

  /** Entries of a RESP2 {@code [[id, [field, value, ...]], ...]} list, as XRANGE and XCLAIM return them. */
  static List<Entry> parseAll(Response list, long deliveries) {
    List<Entry> entries = new ArrayList<>(list.size());
    for (Response raw : list) {
      if (raw != null && raw.size() == 2) {
        entries.add(parse(raw.get(0).toString(), raw.get(1), deliveries));
      }
    }
    return entries;
  }

  /** The raw job JSON of an entry's fields, or {@code null}. */
  static String jobField(Response fields) {
    if (fields != null) {
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("job".equals(fields.get(i).toString())) {
          return fields.get(i + 1).toString();
        }
      }
    }
    return null;
  }

  private static Entry parse(String entryId, Response fields, long deliveries) {
    String raw = jobField(fields);
    if (raw == null) {
      return new Entry(entryId, null, "entry has no 'job' field", deliveries);
    }
    try {
      return new Entry(entryId, Job.fromJson(new JsonObject(raw)), null, deliveries);
    } catch (RuntimeException e) {
      return new Entry(entryId, null, e.getMessage() + " in " + raw, deliveries);
    }
  }
}
