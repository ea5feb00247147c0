package hwaas.testing;

import hwaas.node.NodeSettings;
import hwaas.queue.StreamKeys;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reads the test Redis directly, so assertions look at the real stream rather than at the node's own counters. */
public final class RedisProbe implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Redis redis;
  private final StreamKeys keys;

  public RedisProbe(NodeSettings config) {
    this.redis = Redis.createClient(vertx, config.redis().options());
    this.keys = config.queue().keys();
  }

  public long streamLength() throws Exception {
    return streamLength(hwaas.jobs.Job.PRINT);
  }

  public long streamLength(String type) throws Exception {
    return send(Request.cmd(Command.XLEN).arg(keys.stream(type))).toLong();
  }

  /** Entries delivered to a consumer and not yet acknowledged. */
  public long pendingInGroup() throws Exception {
    return send(Request.cmd(Command.XPENDING).arg(keys.stream(hwaas.jobs.Job.PRINT)).arg(StreamKeys.GROUP)).get(0).toLong();
  }

  /** XPENDING rows of the print stream: [id, consumer, idle ms, deliveries]. */
  public Response pendingRows() throws Exception {
    return send(Request.cmd(Command.XPENDING).arg(keys.stream(hwaas.jobs.Job.PRINT)).arg(StreamKeys.GROUP).arg("-").arg("+").arg(100));
  }

  /** The ids of every job in the stream, oldest entry first, in order within each entry. */
  public List<String> jobIdsInStream() throws Exception {
    Response entries = send(Request.cmd(Command.XRANGE).arg(keys.stream(hwaas.jobs.Job.PRINT)).arg("-").arg("+"));
    List<String> ids = new ArrayList<>();
    for (Response entry : entries) {
      Response fields = entry.get(1);
      assertEquals("jobs", fields.get(0).toString(), "an entry's field");
      for (Object batch : new io.vertx.core.json.JsonArray(fields.get(1).toString())) {
        hwaas.jobs.JobBatch.fromJson((io.vertx.core.json.JsonObject) batch).ids().forEach(ids::add);
      }
    }
    return ids;
  }

  /** Dead-letter entries as {job, error, attempts, entry, failedAt}, the job parsed. */
  public List<io.vertx.core.json.JsonObject> deadLetters() throws Exception {
    Response entries = send(Request.cmd(Command.XRANGE).arg(keys.dead()).arg("-").arg("+"));
    List<io.vertx.core.json.JsonObject> dead = new ArrayList<>();
    for (Response entry : entries) {
      Response fields = entry.get(1);
      io.vertx.core.json.JsonObject letter = new io.vertx.core.json.JsonObject().put("deadId", entry.get(0).toString());
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String name = fields.get(i).toString();
        String value = fields.get(i + 1).toString();
        letter.put(name, name.equals("job") ? new io.vertx.core.json.JsonObject(value) : value);
      }
      dead.add(letter);
    }
    return dead;
  }

  /**
   * Cancels a job as the API does, but on this probe's own Vert.x, outside the node's cluster: its record turns
   * canceled and no worker of the node hears of it, as when the cancel's word comes late.
   *
   * @return the status the job had
   */
  public String cancelUnheard(String jobId) throws Exception {
    return new hwaas.queue.JobCancel(vertx, redis, hwaas.queue.Partitions.single(keys.prefix())).cancel(jobId).await(5, TimeUnit.SECONDS).before();
  }

  /** A field of a type's counters (0 if none). */
  public long counter(String type, String field) throws Exception {
    Response value = send(Request.cmd(Command.HGET).arg(keys.counters(type)).arg(field));
    return value == null ? 0 : value.toLong();
  }

  private Response send(Request request) throws Exception {
    return redis.send(request).await(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    redis.close();
    vertx.close();
  }
}
