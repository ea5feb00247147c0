package hwaas.queue;

import hwaas.jobs.Job;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.List;

/**
 * The status record of a tracked job (a Redis hash that expires {@code ttl} after its last change), and the
 * index of each client's jobs. Builds requests only: each writer sends them on the connection it already
 * uses, so a worker's updates of one job arrive in order.
 */
public final class JobRecords {
  /**
   * Jobs kept in a client's index (the newest), whoever writes them: the API, the queue, a schedule; as many as any
   * console index keeps, so the job browser's client filter pages through all of them (the enqueue script also drops
   * what is older than {@code --record-ttl}).
   */
  public static final int KEPT_PER_CLIENT = JobIndex.KEPT_PER_INDEX;

  private final StreamKeys keys;
  private final String ttlSeconds;
  private final JobIndex index;

  public JobRecords(StreamKeys keys, Duration ttl) {
    this.keys = keys;
    this.index = new JobIndex(keys);
    this.ttlSeconds = Long.toString(ttl.toSeconds());
  }

  /** @param client the API client that submitted the job */
  public List<Request> queued(Job job, String client, long now) {
    return created(job, client, now, "queued");
  }

  /** A cached answer: the job is complete the moment it is created. */
  public List<Request> completedFromCache(Job job, String client, String result, long now) {
    List<Request> created = new java.util.ArrayList<>(created(job, client, now, "completed"));
    created.add(update(job.id(), "status", "completed", "result", result, "cached", "true",
        "startedAt", Long.toString(now), "finishedAt", Long.toString(now), event(now, "completed"), "cached"));
    return created;
  }

  private List<Request> created(Job job, String client, long now, String state) {
    String index = keys.clientJobs(client);
    List<Request> requests = new java.util.ArrayList<>(List.of(
        update(job.id(), "type", job.type(), "client", client, "status", "queued", "payload", job.payload().encode(), "createdAt", Long.toString(now), event(now, "queued"), ""),
        expire(job.id()),
        Request.cmd(Command.ZADD).arg(index).arg(now).arg(job.id()),
        Request.cmd(Command.ZREMRANGEBYRANK).arg(index).arg(0).arg(-KEPT_PER_CLIENT - 1),
        Request.cmd(Command.EXPIRE).arg(index).arg(ttlSeconds)));
    requests.addAll(index().created(job.id(), job.type(), client, state, now));
    return requests;
  }

  /**
   * Claims a job id for the submission whose body has {@code digest}, in one step: the record is created holding only
   * the digest if it does not exist (then this caller creates the job), and left alone if it does. Two concurrent
   * first submissions with one Idempotency-Key: one creates the job, the other finds it.
   */
  public List<Request> claim(String jobId, String digest) {
    return List.of(Request.cmd(Command.HSETNX).arg(keys.record(jobId)).arg("digest").arg(digest), expire(jobId),
        read(jobId));
  }

  // KEYS[1]: the record; ARGV: 1 error, 2 attempt, 3 history field, 4 TTL (s), 5 failed index, 6 now, 7 job id,
  // 8 running index. A job canceled meanwhile stays canceled (its next attempt finds it so and skips it). Written even
  // past Redis's memory limit (ScriptFlags): the next attempt's backoff and the dead letter's reason depend on it.
  private static final String FAILED = String.join("\n", ScriptFlags.ALLOW_OOM,
      "if redis.call('HGET', KEYS[1], 'status') == 'canceled' then return 0 end",
      "redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[1], 'attempts', ARGV[2], ARGV[3], ARGV[1])",
      "redis.call('EXPIRE', KEYS[1], ARGV[4])",
      "redis.call('ZADD', ARGV[5], ARGV[6], ARGV[7])",
      "redis.call('ZREM', ARGV[8], ARGV[7])",
      "return 1");

  /** Failed this attempt; another follows after its backoff. */
  public List<Request> failed(String jobId, String error, long attempt) {
    long now = System.currentTimeMillis();
    return List.of(Request.cmd(Command.EVAL).arg(FAILED).arg(1).arg(keys.record(jobId)).arg(error).arg(attempt)
        .arg(event(now, "failed")).arg(ttlSeconds).arg(index().state("failed")).arg(now).arg(jobId)
        .arg(index().state("running")));
  }

  /**
   * Lua, {@link #dueNow} for the scripts that read a status for the console, before their own lines: the status a
   * record reads as, given its {@code status} and {@code runAt} fields and now (epoch millis, a number).
   */
  static final String STATUS_NOW_LUA = String.join("\n",
      "local function statusNow(status, runAt, now)",
      "  if status == 'scheduled' and runAt and tonumber(runAt) <= now then return 'queued' end",
      "  return status",
      "end");

  /**
   * Lua, for the scripts that put dead jobs back (one, or all that match a filter), before their own lines: a dead job
   * going back turns its record queued with fresh attempts, if it is tracked and its record still kept, in the same
   * script as its new stream entry, so that no worker can run it before the record says so. Arguments: record key
   * prefix, the console's index prefix, now (epoch millis), record TTL (s), the job's id (nil: none) and its JSON.
   */
  static final String REQUEUED_RECORD_LUA = String.join("\n",
      "local function requeuedRecord(recP, idxP, now, ttl, id, job)",
      "  if id and string.find(job, '\"tracked\":true', 1, true) and redis.call('EXISTS', recP .. id) == 1 then",
      "    redis.call('HSET', recP .. id, 'status', 'queued', 'attempts', '0', 'ev:' .. now .. ':queued', 'requeued')",
      "    redis.call('EXPIRE', recP .. id, tonumber(ttl))",
      "    redis.call('ZREM', idxP .. 'state:dead', id)",
      "    redis.call('ZADD', idxP .. 'state:queued', now, id)",
      "  end",
      "end");

  /** How long a record is kept after its last change, in seconds: for the scripts that write records themselves. */
  String ttlSeconds() {
    return ttlSeconds;
  }

  /**
   * The field that keeps one status change in the record's history: {@code ev:<epoch millis>:<status>}, its value the
   * worker, the error or a note. A job has a handful of changes; they live and expire with the record.
   */
  static String event(long now, String status) {
    return "ev:" + now + ":" + status;
  }

  private JobIndex index() {
    return index;
  }

  // KEYS[1]: the record; ARGV[1]: progress JSON. Written only while the job runs: not to a record that expired (it
  // would come back half), nor to one canceled or finished meanwhile. Replies with the record's status ('' if none).
  private static final String PROGRESS = String.join("\n",
      "local status = redis.call('HGET', KEYS[1], 'status')",
      "if status == 'running' then redis.call('HSET', KEYS[1], 'progress', ARGV[1]) end",
      "return status or ''");

  /**
   * A running job's progress, {"fraction", "message"} as JSON, kept with its record while it runs; replies with the
   * record's status ('' if it has none).
   */
  public Request progress(String jobId, String progress) {
    return Request.cmd(Command.EVAL).arg(PROGRESS).arg(1).arg(keys.record(jobId)).arg(progress);
  }

  /** The record's status ({@code null} if it has none). */
  public Request status(String jobId) {
    return Request.cmd(Command.HGET).arg(keys.record(jobId)).arg("status");
  }

  public Request read(String jobId) {
    return Request.cmd(Command.HGETALL).arg(keys.record(jobId));
  }

  /** A record as the API shows it; {@code null} when there is none (unknown or expired). */
  public static JsonObject toJson(String id, Response hash) {
    if (hash == null || hash.size() == 0) {
      return null;
    }
    JsonObject raw = RedisPairs.toJson(hash);
    if (raw.containsKey("deleted")) {
      return null; // the tombstone of a deleted job (JobActions): it only keeps a worker from running it
    }
    JsonObject record = new JsonObject()
        .put("id", id)
        .put("type", raw.getString("type"))
        .put("client", raw.getString("client"))
        .put("status", raw.getString("status"))
        .put("attempts", Long.parseLong(raw.getString("attempts", "0")))
        .put("payload", new JsonObject(raw.getString("payload", "{}")))
        .put("createdAt", time(raw.getString("createdAt")))
        .put("runAt", time(raw.getString("runAt")))
        .put("finishedAt", time(raw.getString("finishedAt")))
        .put("cached", Boolean.parseBoolean(raw.getString("cached", "false")))
        .put("priority", raw.getString("priority", Priority.NORMAL.label()));
    if (raw.getString("status") == null) {
      record.put("status", "queued"); // claimed a moment ago, being created
    } else if (dueNow(raw)) {
      record.put("status", "queued");
    }
    if (raw.containsKey("result")) {
      record.put("result", new JsonObject(raw.getString("result")));
    }
    if (raw.containsKey("progress")) {
      record.put("progress", new JsonObject(raw.getString("progress")));
    }
    if (raw.containsKey("error")) {
      record.put("error", raw.getString("error"));
    }
    if (raw.containsKey("chain")) {
      record.put("chain", raw.getString("chain")).put("step", Integer.parseInt(raw.getString("step", "0")));
    }
    if (raw.containsKey("schedule")) {
      record.put("schedule", raw.getString("schedule")).put("tick", time(raw.getString("tick")));
    }
    JsonArray history = history(raw);
    if (!history.isEmpty()) {
      record.put("history", history);
    }
    started(raw, history, record);
    return record;
  }

  /**
   * When the job's current attempt started, and where: the last running event's time and detail (the start script
   * writes no fields of its own for them). Without one, the record's own fields: a cached answer's names its start
   * time and no worker.
   */
  private static void started(JsonObject raw, JsonArray history, JsonObject record) {
    for (int i = history.size() - 1; i >= 0; i--) {
      JsonObject event = history.getJsonObject(i);
      if ("running".equals(event.getString("status"))) {
        record.put("startedAt", event.getString("at")).put("worker", event.getString("detail"));
        return;
      }
    }
    record.put("startedAt", time(raw.getString("startedAt"))).put("worker", raw.getString("worker"));
  }

  /**
   * A delayed job that is due is queued, whatever its record says: the mover that appends it to its stream leaves the
   * record as it is (one write per due job fewer), so a record stays {@code scheduled} until a worker starts the job.
   * The scripts that read a status for the console (JobSearch, ClientFigures, JobCancel) apply the same rule.
   */
  static boolean dueNow(JsonObject raw) {
    return "scheduled".equals(raw.getString("status")) && raw.getString("runAt") != null
        && Long.parseLong(raw.getString("runAt")) <= System.currentTimeMillis();
  }

  /** The record's status changes ({@link #event}), oldest first: {at, status, detail}. */
  private static JsonArray history(JsonObject raw) {
    List<Event> events = new java.util.ArrayList<>();
    boolean due = false;
    for (String field : raw.fieldNames()) {
      if (!field.startsWith("ev:")) {
        continue;
      }
      int colon = field.indexOf(':', 3);
      String status = field.substring(colon + 1);
      String detail = raw.getString(field);
      events.add(new Event(Long.parseLong(field.substring(3, colon)), status, detail));
      due = due || "queued".equals(status) && "due".equals(detail);
    }
    // The move of a delayed job to its stream, at its due time: written by the mover of earlier versions, implied now
    // (unless the job was canceled before it was moved).
    String runAt = raw.getString("runAt");
    boolean canceledWaiting = "canceled".equals(raw.getString("status")) && "scheduled".equals(raw.getString("canceledWhile"));
    if (!due && !canceledWaiting && runAt != null && Long.parseLong(runAt) <= System.currentTimeMillis()) {
      // First in the list: the sort is stable, so it stays ahead of a start in the same millisecond.
      events.add(0, new Event(Long.parseLong(runAt), "queued", "due"));
    }
    events.sort(java.util.Comparator.comparingLong(Event::millis));
    JsonArray history = new JsonArray(new java.util.ArrayList<>(events.size()));
    for (Event e : events) {
      JsonObject event = new JsonObject().put("at", time(e.millis())).put("status", e.status());
      if (e.detail() != null && !e.detail().isEmpty()) {
        event.put("detail", e.detail());
      }
      history.add(event);
    }
    return history;
  }

  /** One status change of a record: when, to what, and its detail ('' or null: none). */
  private record Event(long millis, String status, String detail) {
  }

  /** Epoch millis as an RFC 3339 time; {@code null} stays null. */
  public static String time(String millis) {
    return millis == null ? null : time(Long.parseLong(millis));
  }

  /**
   * The last second formatted: a record's times fall in a few seconds, and {@link java.time.Instant#toString}'s
   * formatter was a tenth of a node's CPU under a load of {@code GET /api/jobs/{id}}.
   */
  private record FormattedSecond(long epochSecond, String text) {
  }

  private static volatile FormattedSecond lastSecond = new FormattedSecond(Long.MIN_VALUE, "");

  /** Epoch millis as an RFC 3339 time, exactly as {@link java.time.Instant#toString} writes it. */
  static String time(long millis) {
    long second = Math.floorDiv(millis, 1000L);
    int milli = (int) Math.floorMod(millis, 1000L);
    FormattedSecond formatted = lastSecond;
    if (formatted.epochSecond() != second) {
      formatted = new FormattedSecond(second, java.time.Instant.ofEpochSecond(second).toString());
      lastSecond = formatted;
    }
    String text = formatted.text();
    if (milli == 0) {
      return text;
    }
    // Instant writes a fraction of whole milliseconds as three digits before its closing 'Z'.
    StringBuilder b = new StringBuilder(text.length() + 4).append(text, 0, text.length() - 1).append('.');
    if (milli < 100) {
      b.append('0');
    }
    if (milli < 10) {
      b.append('0');
    }
    return b.append(milli).append('Z').toString();
  }

  private Request update(String jobId, String... fieldsAndValues) {
    Request hset = Request.cmd(Command.HSET).arg(keys.record(jobId));
    for (String s : fieldsAndValues) {
      hset.arg(s);
    }
    return hset;
  }

  private Request expire(String jobId) {
    return Request.cmd(Command.EXPIRE).arg(keys.record(jobId)).arg(ttlSeconds);
  }
}
