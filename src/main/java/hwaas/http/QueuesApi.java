package hwaas.http;

import hwaas.config.HwaasConfig;
import hwaas.queue.QueueAddresses;
import hwaas.queue.StreamKeys;
import hwaas.worker.JobHandlers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/** {@code /api/queues}: one queue per job type, its numbers, and pausing it cluster-wide. */
final class QueuesApi {
  private static final int PER_QUEUE = 5;

  private final Vertx vertx;
  private final Redis redis;
  private final StreamKeys keys;
  private final JobHandlers types;

  QueuesApi(Vertx vertx, Redis redis, HwaasConfig config, JobHandlers types) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = new StreamKeys(config.keyPrefix());
    this.types = types;
  }

  void list(RoutingContext ctx) {
    List<Request> reads = new ArrayList<>();
    for (String type : types.names()) {
      String stream = keys.stream(type);
      reads.add(Request.cmd(Command.XLEN).arg(stream));
      reads.add(Request.cmd(Command.XPENDING).arg(stream).arg(StreamKeys.GROUP));
      reads.add(Request.cmd(Command.XINFO).arg("GROUPS").arg(stream));
      reads.add(Request.cmd(Command.HGETALL).arg(keys.counters(type)));
      reads.add(Request.cmd(Command.SISMEMBER).arg(keys.paused()).arg(type));
    }
    redis.batch(reads).onSuccess(replies -> {
      JsonArray queues = new JsonArray();
      int i = 0;
      for (String type : types.names()) {
        queues.add(queue(type, replies.subList(i, i + PER_QUEUE)));
        i += PER_QUEUE;
      }
      ctx.json(new JsonObject().put("queues", queues));
    }).onFailure(ctx::fail);
  }

  void pause(RoutingContext ctx) {
    setPaused(ctx, true);
  }

  void resume(RoutingContext ctx) {
    setPaused(ctx, false);
  }

  private void setPaused(RoutingContext ctx, boolean paused) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    String type = request.getPathParameters().get("type").getString();
    if (!types.names().contains(type)) {
      ApiErrors.respond(ctx, 404, "no queue '" + type + "'; the queues are " + types.names());
      return;
    }
    // Redis holds the state (nodes that start later read it); the event bus tells running workers at once.
    redis.send(Request.cmd(paused ? Command.SADD : Command.SREM).arg(keys.paused()).arg(type))
        .onSuccess(v -> {
          JsonObject state = new JsonObject().put("type", type).put("paused", paused);
          vertx.eventBus().publish(QueueAddresses.PAUSED, state);
          ctx.json(state);
        })
        .onFailure(ctx::fail);
  }

  // replies: XLEN, XPENDING summary, XINFO GROUPS, HGETALL counters, SISMEMBER paused
  private static JsonObject queue(String type, List<Response> r) {
    long length = r.get(0).toLong();
    long inFlight = r.get(1).get(0).toLong();
    JsonObject counters = flat(r.get(3));
    Long lag = null;
    for (Response group : r.get(2)) {
      JsonObject g = flat(group);
      if (StreamKeys.GROUP.equals(g.getString("name")) && g.getString("lag") != null) {
        lag = Long.parseLong(g.getString("lag"));
      }
    }
    return new JsonObject()
        .put("type", type)
        .put("pending", Math.max(0, length - inFlight))
        .put("inFlight", inFlight)
        .put("lag", lag == null ? Math.max(0, length - inFlight) : lag)
        .put("processed", Long.parseLong(counters.getString("processed", "0")))
        .put("failed", Long.parseLong(counters.getString("failed", "0")))
        .put("dead", Long.parseLong(counters.getString("dead", "0")))
        .put("paused", r.get(4).toLong() == 1);
  }

  private static JsonObject flat(Response pairs) {
    JsonObject json = new JsonObject();
    for (int i = 0; pairs != null && i + 1 < pairs.size(); i += 2) {
      Response value = pairs.get(i + 1);
      json.put(pairs.get(i).toString(), value == null ? null : value.toString());
    }
    return json;
  }
}
