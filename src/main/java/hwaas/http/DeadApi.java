package hwaas.http;

import hwaas.queue.DeadBulk;
import hwaas.queue.QueueSettings;
import hwaas.queue.PartitionedDeadLetters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.redis.client.Redis;

/**
 * {@code /api/dead}: the dead-letter stream, filtered; putting dead jobs back or deleting them, one or all that match a
 * filter (counted first with {@code dryRun}).
 */
final class DeadApi {
  private final PartitionedDeadLetters dead;

  DeadApi(Redis redis, QueueSettings queue) {
    this.dead = new PartitionedDeadLetters(redis, queue.partitionKeys(), queue.recordTtl());
  }

  void list(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    var limit = request.getQuery().get("limit");
    var after = request.getQuery().get("after");
    dead.list(filter(request), after == null || after.isNull() ? null : after.getString(),
            limit == null || limit.isNull() ? 100 : limit.getInteger())
        .onSuccess(page -> ctx.json(new JsonObject().put("jobs", new JsonArray(page.letters())).put("next", page.next())))
        .onFailure(ctx::fail);
  }

  /** {@code POST /api/dead/requeue} and {@code /api/dead/delete}: every match, or with dryRun only their count. */
  void bulk(RoutingContext ctx, DeadBulk.Action action) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    var dryRunParam = request.getQuery().get("dryRun");
    boolean dryRun = dryRunParam != null && !dryRunParam.isNull() && dryRunParam.getBoolean();
    dead.apply(dryRun ? DeadBulk.Action.COUNT : action, filter(request))
        .onSuccess(matched -> ctx.json(new JsonObject().put("matched", matched).put("dryRun", dryRun)))
        .onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    String id = request.getPathParameters().get("id").getString();
    dead.delete(id).onSuccess(deleted -> {
      if (deleted) {
        ctx.response().setStatusCode(204).end();
      } else {
        ApiErrors.respond(ctx, 404, "no dead job " + id);
      }
    }).onFailure(ctx::fail);
  }

  private static DeadBulk.Filter filter(ValidatedRequest request) {
    return new DeadBulk.Filter(orEmpty(ConsoleApi.text(request, "type")), orEmpty(ConsoleApi.text(request, "q")),
        orEmpty(ConsoleApi.text(request, "client")));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
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
