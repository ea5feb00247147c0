package hwaas.worker;

import hwaas.jobs.Job;
import hwaas.jobs.JobControl;
import hwaas.queue.PartitionedRecords;
import hwaas.stats.StatsAddresses;
import hwaas.support.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The progress that running jobs of one worker report, written to their records and announced to whoever follows
 * them ({"id", "progress"} on the job's events). Reports are gathered for {@link #FLUSH_MILLIS} and go out together, the latest of each job only, as one Redis
 * round trip on the pool (a lane's own connection may be parked in a blocking read) and one event-bus message: a
 * handler that reports often costs no more than one that reports ten times. Used on the worker's event loop only.
 */
final class ProgressReports {
  static final long FLUSH_MILLIS = 100;

  private final Vertx vertx;
  private final Redis redis;
  private final PartitionedRecords records;
  private final OutageLog outage;
  private final RunningJobs running;
  private Map<String, JobControl.Progress> pending = new LinkedHashMap<>();

  ProgressReports(Vertx vertx, Redis redis, PartitionedRecords records, OutageLog outage, RunningJobs running) {
    this.vertx = vertx;
    this.running = running;
    this.redis = redis;
    this.records = records;
    this.outage = outage;
  }

  void report(Job job, JobControl.Progress progress) {
    if (pending.isEmpty()) {
      vertx.setTimer(FLUSH_MILLIS, t -> flush());
    }
    pending.put(job.id(), progress);
  }

  private static JsonObject toJson(JobControl.Progress progress) {
    return new JsonObject().put("fraction", progress.fraction()).put("message", progress.message());
  }

  private void flush() {
    Map<String, JobControl.Progress> reports = pending;
    pending = new LinkedHashMap<>();
    // By partition: on a Redis Cluster each job's record is in the partition its id names, and a pipeline may not
    // span partitions.
    Map<Integer, List<Request>> writes = new TreeMap<>();
    JsonArray events = new JsonArray(new ArrayList<>(reports.size()));
    reports.forEach((id, progress) -> {
      // A job that ended meanwhile has its outcome written and announced already: a late report would follow it.
      if (running.runs(id)) {
        JsonObject json = toJson(progress);
        writes.computeIfAbsent(records.partitions().ofJob(id), p -> new ArrayList<>())
            .add(records.of(id).progress(id, json.encode()));
        events.add(new JsonObject().put("id", id).put("progress", json));
      }
    });
    if (writes.isEmpty()) {
      return;
    }
    vertx.eventBus().publish(StatsAddresses.JOB_EVENTS, events);
    Future.all(writes.values().stream().map(redis::batch).toList())
        .onSuccess(v -> outage.success())
        .onFailure(err -> outage.failure("progress of " + reports.size() + " jobs not written", err));
  }
}
