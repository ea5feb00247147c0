package hwaas.http;

import hwaas.queue.JobCancel;
import hwaas.stats.StatsAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;

/** {@code POST /api/jobs/{id}/cancel}: a job that is not finished never runs, or stops where it runs. */
final class CancelApi {
  private final Vertx vertx;
  private final JobCancel cancel;

  CancelApi(Vertx vertx, JobCancel cancel) {
    this.vertx = vertx;
    this.cancel = cancel;
  }

  void cancel(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    String id = request.getPathParameters().get("id").getString();
    cancel.cancel(id)
        .onSuccess(before -> {
          if (before == null) {
            ApiErrors.respond(ctx, 404, "no job " + id + " (unknown, or its record expired)");
          } else if (JobCancel.FINISHED.contains(before)) {
            ApiErrors.respond(ctx, 409, "job " + id + " is " + before + " already; only an unfinished job can be canceled");
          } else {
            // Whoever waits on the job hears it now, wherever it was (a job that was running is also announced by its
            // worker once it has stopped).
            vertx.eventBus().publish(StatsAddresses.JOB_EVENTS,
                new JsonArray().add(new JsonObject().put("id", id).put("status", "canceled")));
            ctx.json(new JsonObject().put("id", id).put("status", "canceled").put("was", before));
          }
        })
        .onFailure(ctx::fail);
  }
}
