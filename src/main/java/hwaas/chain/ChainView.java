package hwaas.chain;

import hwaas.queue.JobRecords;
import hwaas.queue.PartitionedRecords;
import hwaas.queue.PipelinedConnection;
import hwaas.queue.RedisPairs;
import hwaas.queue.StreamKeys;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * A job as the API shows it. A job that starts a chain stands for the whole chain: its {@code status} is the chain's
 * ({@code completed} only when the last step is), its {@code result} the last step's, and {@code steps} lists each step
 * with its id(s), status and result. Any other job is its record as it is.
 */
public final class ChainView {
  private final PipelinedConnection reads;
  private final PartitionedRecords records;

  /**
   * @param reads one connection that every read shares, several in flight: the reads of concurrent requests travel
   *              together, instead of a pooled connection, a write and a wake-up of Redis each
   */
  public ChainView(PipelinedConnection reads, PartitionedRecords records) {
    this.reads = reads;
    this.records = records;
  }

  /** The job or chain named by {@code id}; {@code null} when there is none (unknown, or expired). */
  public Future<JsonObject> read(String id) {
    // A job's record and its chain are in the partition its id names, and so are its chain's steps (<id>.<step>).
    JobRecords partition = records.of(id);
    StreamKeys keys = records.partitions().ofJobKeys(id);
    return reads.batch(List.of(partition.read(id), Request.cmd(Command.HGETALL).arg(keys.chain(id))))
        .compose(replies -> {
          JsonObject record = JobRecords.toJson(id, replies.get(0));
          JsonObject chain = RedisPairs.toJson(replies.get(1));
          if (record == null || chain.isEmpty()) {
            return Future.succeededFuture(record);
          }
          List<String> stepIds = startedJobs(id, chain);
          if (stepIds.isEmpty()) {
            return Future.succeededFuture(view(record, chain, List.of()));
          }
          List<Request> steps = new ArrayList<>(stepIds.size());
          stepIds.forEach(stepId -> steps.add(partition.read(stepId)));
          return reads.batch(steps).map(hashes -> {
            List<JsonObject> stepRecords = new ArrayList<>(hashes.size());
            for (int i = 0; i < hashes.size(); i++) {
              stepRecords.add(JobRecords.toJson(stepIds.get(i), hashes.get(i)));
            }
            return view(record, chain, stepRecords);
          });
        });
  }

  /** Ids of the jobs of the steps after the first that have started, in order. */
  private static List<String> startedJobs(String root, JsonObject chain) {
    List<String> ids = new ArrayList<>();
    int steps = Integer.parseInt(chain.getString("steps"));
    for (int s = 1; s < steps && chain.containsKey("started:" + s); s++) {
      String width = chain.getString("width:" + s);
      if (width == null) {
        ids.add(root + "." + s);
      } else {
        for (int k = 0; k < Integer.parseInt(width); k++) {
          ids.add(root + "." + s + "." + k);
        }
      }
    }
    return ids;
  }

  private static JsonObject view(JsonObject first, JsonObject chain, List<JsonObject> stepRecords) {
    String root = first.getString("id");
    int steps = Integer.parseInt(chain.getString("steps"));
    JsonArray list = new JsonArray().add(step(0, first));
    int next = 0;
    for (int s = 1; s < steps; s++) {
      String width = chain.getString("width:" + s);
      boolean started = chain.containsKey("started:" + s);
      if (width == null) {
        JsonObject record = started ? stepRecords.get(next++) : null;
        list.add(record == null ? waiting(s, root + "." + s, chain.getString("type:" + s)) : step(s, record));
        continue;
      }
      JsonArray all = new JsonArray();
      for (int k = 0; k < Integer.parseInt(width); k++) {
        JsonObject record = started ? stepRecords.get(next++) : null;
        all.add(record == null ? waiting(s, root + "." + s + "." + k, chain.getString("type:" + s + "." + k)) : step(s, record));
      }
      JsonObject fanOut = new JsonObject().put("step", s).put("status", fanOutStatus(started, chain.containsKey("result:" + s), all))
          .put("all", all);
      if (chain.containsKey("result:" + s)) {
        fanOut.put("result", new JsonArray(chain.getString("result:" + s)));
      }
      list.add(fanOut);
    }
    JsonObject view = first.copy();
    String status = chain.getString("status");
    int step = Integer.parseInt(chain.getString("step", "0"));
    if ("running".equals(status)) {
      // Until its first job is done, the chain is as far as that job; then it runs until its last step ends.
      view.put("status", step == 0 && !"completed".equals(first.getString("status")) ? first.getString("status") : "running");
      view.remove("result");
      view.remove("finishedAt");
    } else {
      view.put("status", status);
      view.put("finishedAt", JobRecords.time(chain.getString("finishedAt")));
      if ("completed".equals(status)) {
        view.put("result", Json.decodeValue(chain.getString("result")));
      } else if ("canceled".equals(status)) {
        view.remove("result");
      } else {
        view.remove("result");
        view.put("error", chain.getString("error"));
        view.put("deadStep", Integer.parseInt(chain.getString("deadStep", "0")));
      }
    }
    return view.put("step", step).put("steps", list);
  }

  private static JsonObject step(int s, JsonObject record) {
    JsonObject step = new JsonObject().put("step", s).put("id", record.getString("id")).put("type", record.getString("type"))
        .put("status", record.getString("status"));
    if (record.containsKey("result")) {
      step.put("result", record.getValue("result"));
    }
    if (record.containsKey("error")) {
      step.put("error", record.getString("error"));
    }
    return step;
  }

  private static JsonObject waiting(int s, String id, String type) {
    return new JsonObject().put("step", s).put("id", id).put("type", type).put("status", "waiting");
  }

  private static String fanOutStatus(boolean started, boolean completed, JsonArray all) {
    if (!started) {
      return "waiting";
    }
    if (completed) {
      return "completed";
    }
    boolean dead = false;
    for (Object job : all) {
      dead |= "dead".equals(((JsonObject) job).getString("status"));
    }
    return dead ? "dead" : "running";
  }
}
