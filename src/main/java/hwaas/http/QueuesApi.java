package hwaas.http;

import hwaas.queue.PausedTypes;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueStats;
import hwaas.queue.Partitions;
import hwaas.queue.StreamKeys;
import hwaas.jobs.JobHandlers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;


/** {@code /api/queues}: one queue per job type, its numbers, and pausing it cluster-wide. */
final class QueuesApi {
  private final Vertx vertx;
  private final Redis redis;
  private final Partitions partitions;
  private final StreamKeys keys;
  private final JobHandlers types;
  private final PausedTypes pausedTypes;

  QueuesApi(Vertx vertx, Redis redis, Partitions partitions, JobHandlers types, PausedTypes pausedTypes) {
    this.pausedTypes = pausedTypes;
    this.vertx = vertx;
    this.redis = redis;
    this.partitions = partitions;
    this.keys = partitions.home();
    this.types = types;
  }

  void list(RoutingContext ctx) {
    QueueStats.read(redis, partitions, types.names())
        .onSuccess(queues -> ctx.json(new JsonObject().put("queues", queues)))
        .onFailure(ctx::fail);
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
    // Redis holds the state (nodes that start later read it); this node's workers have it before the answer, the
    // other nodes' as soon as the event bus tells them.
    redis.send(Request.cmd(paused ? Command.SADD : Command.SREM).arg(keys.paused()).arg(type))
        .onSuccess(v -> {
          pausedTypes.set(type, paused);
          JsonObject state = new JsonObject().put("type", type).put("paused", paused);
          vertx.eventBus().publish(QueueAddresses.PAUSED, state);
          ctx.json(state);
        })
        .onFailure(ctx::fail);
  }
}
