package hwaas.http;

import hwaas.queue.JobActions;
import hwaas.stats.StatsAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;

/** {@code POST /api/jobs/{id}/retry} and {@code DELETE /api/jobs/{id}}: the job view's actions ({@link JobActions}). */
final class JobActionsApi {
  private final Vertx vertx;
  private final JobActions actions;

  JobActionsApi(Vertx vertx, JobActions actions) {
    this.vertx = vertx;
    this.actions = actions;
  }

  void retryNow(RoutingContext ctx) {
    String id = jobId(ctx);
    actions.retryNow(id).onSuccess(outcome -> {
      if (outcome == null) {
        ApiErrors.respond(ctx, 404, "no job " + id + " (unknown, deleted, or its record expired)");
      } else if (!outcome.done()) {
        ApiErrors.respond(ctx, 409, "job " + id + " is " + outcome.before()
            + ("failed".equals(outcome.before()) ? " but is being retried already" : "")
            + "; only a job waiting out its back-off after a failed attempt (failed) can be retried now");
      } else {
        ctx.json(new JsonObject().put("id", id).put("status", outcome.before()));
      }
    }).onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    String id = jobId(ctx);
    actions.delete(id).onSuccess(outcome -> {
      if (outcome == null) {
        ApiErrors.respond(ctx, 404, "no job " + id + " (unknown, deleted, or its record expired)");
      } else if (!outcome.done()) {
        ApiErrors.respond(ctx, 409, "job " + id + " is " + outcome.before() + "; " + ("dead".equals(outcome.before())
            ? "delete its dead letter instead (DELETE /api/dead/{deadId}, or POST /api/dead/delete?q=" + id + ")"
            : "cancel it first (POST /api/jobs/" + id + "/cancel), then delete it"));
      } else {
        // A page that shows the job (its view, the job browser) hears it is gone.
        vertx.eventBus().publish(StatsAddresses.JOB_EVENTS, new JsonArray().add(new JsonObject().put("id", id).put("status", "deleted")));
        ctx.json(new JsonObject().put("id", id).put("deleted", true).put("was", outcome.before()));
      }
    }).onFailure(ctx::fail);
  }

  private static String jobId(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    return request.getPathParameters().get("id").getString();
  }
}
