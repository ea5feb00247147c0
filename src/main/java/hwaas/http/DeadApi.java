package hwaas.http;

import hwaas.queue.QueueSettings;
import hwaas.queue.DeadLetters;
import hwaas.queue.JobRecords;
import hwaas.queue.StreamKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.redis.client.Redis;

/** {@code /api/dead}: the dead-letter stream, and putting a dead job back. */
final class DeadApi {
  private final DeadLetters dead;

  DeadApi(Redis redis, QueueSettings queue) {
    StreamKeys keys = queue.keys();
    this.dead = new DeadLetters(redis, keys, new JobRecords(keys, queue.recordTtl()));
  }

  void list(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    var limit = request.getQuery().get("limit");
    var after = request.getQuery().get("after");
    dead.page(after == null || after.isNull() ? null : after.getString(), limit == null || limit.isNull() ? 100 : limit.getInteger())
        .onSuccess(page -> ctx.json(new JsonObject().put("jobs", new JsonArray(page.letters())).put("next", page.next())))
        .onFailure(ctx::fail);
  }

  void requeue(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    String id = request.getPathParameters().get("id").getString();
    dead.requeue(id).onSuccess(entry -> {
      if (entry == null) {
        ApiErrors.respond(ctx, 404, "no dead job " + id);
      } else {
        ctx.json(new JsonObject().put("deadId", id).put("entryId", entry).put("status", "queued"));
      }
    }).onFailure(ctx::fail);
  }
}
