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
        .onSuccess(outcome -> {
          if (outcome == null) {
            ApiErrors.respond(ctx, 404, "no job " + id + " (unknown, or its record expired)");
          } else if (outcome.wasFinished()) {
            ApiErrors.respond(ctx, 409, (outcome.chain() == null ? "job " + id : "the chain " + outcome.chain() + " of job " + id)
                + " is " + outcome.before() + " already; only an unfinished job can be canceled");
          } else {
            // Whoever waits on the job, or on its chain, hears it now, wherever it was (a job that was running is also
            // announced by its worker once it has stopped).
            JsonArray events = new JsonArray().add(new JsonObject().put("id", id).put("status", "canceled"));
            if (outcome.chain() != null && !outcome.chain().equals(id)) {
              events.add(new JsonObject().put("id", outcome.chain()).put("status", "canceled").put("chain", true));
            }
            vertx.eventBus().publish(StatsAddresses.JOB_EVENTS, events);
            JsonObject answer = new JsonObject().put("id", id).put("status", "canceled").put("was", outcome.before());
            ctx.json(outcome.chain() == null ? answer : answer.put("chain", outcome.chain()));
          }
        })
        .onFailure(ctx::fail);
  }
}
