package hwaas.http;

import hwaas.jobs.JobContract;
import hwaas.schedule.Schedule;
import hwaas.schedule.ScheduleAddresses;
import hwaas.schedule.ScheduleStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;

import java.time.Instant;

/**
 * {@code /api/schedules}: recurring jobs. A change is stored in Redis, then announced so that every node's
 * scheduler re-arms at once; the scheduler also reloads every few seconds.
 */
final class SchedulesApi {
  private final Vertx vertx;
  private final ScheduleStore store;
  private final JobContract contract;

  SchedulesApi(Vertx vertx, ScheduleStore store, JobContract contract) {
    this.vertx = vertx;
    this.store = store;
    this.contract = contract;
  }

  /** Creates or replaces one; 201 with the schedule as listed. */
  void put(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject body = request.getBody().getJsonObject();
    Schedule schedule;
    try {
      schedule = Schedule.fromJson(body);
      JsonObject job = schedule.job();
      if (job.containsKey("delay") || job.containsKey("runAt")) {
        throw new IllegalArgumentException("job: a schedule's job runs at its ticks; it takes no delay or runAt");
      }
      if (job.containsKey("then") || job.containsKey("priority")) {
        throw new IllegalArgumentException("job: a schedule's job is one job at normal priority; it takes no then or priority");
      }
      contract.checkRequest(job);
    } catch (IllegalArgumentException e) {
      ApiErrors.respond(ctx, 400, e.getMessage());
      return;
    }
    store.put(schedule, Instant.now())
        .compose(v -> changed(schedule.name()))
        .onSuccess(view -> ctx.response().setStatusCode(201).putHeader("content-type", "application/json").end(view.encode()))
        .onFailure(ctx::fail);
  }

  /** The schedules, and how many delayed jobs wait and when the next is due. */
  void list(RoutingContext ctx) {
    store.all()
        .compose(all -> store.delayed().map(delayed -> {
          JsonArray schedules = new JsonArray();
          all.values().forEach(s -> schedules.add(view(s)));
          return new JsonObject().put("schedules", schedules).put("delayed", new JsonObject().put("count", delayed.count())
              .put("nextDue", delayed.nextDue() == 0 ? null : Instant.ofEpochMilli(delayed.nextDue()).toString()));
        }))
        .onSuccess(ctx::json)
        .onFailure(ctx::fail);
  }

  void delete(RoutingContext ctx) {
    String name = name(ctx);
    store.delete(name)
        .onSuccess(existed -> {
          if (!existed) {
            ApiErrors.respond(ctx, 404, "no schedule " + name);
            return;
          }
          vertx.eventBus().publish(ScheduleAddresses.CHANGED, name);
          ctx.response().setStatusCode(204).end();
        })
        .onFailure(ctx::fail);
  }

  /** Pause or resume: a resumed schedule fires from its next tick on, nothing for the paused time. */
  void pause(RoutingContext ctx, boolean paused) {
    String name = name(ctx);
    stored(name)
        .compose(s -> store.put(s.schedule().withPaused(paused), Instant.now()))
        .compose(v -> changed(name))
        .onSuccess(ctx::json)
        .onFailure(ctx::fail);
  }

  /** One job now, outside the ticks; the ticks go on as before. */
  void trigger(RoutingContext ctx) {
    String name = name(ctx);
    Instant now = Instant.now();
    String id = JobsApi.newJobId();
    stored(name)
        .compose(s -> store.trigger(s, now, id).map(fired -> {
          if (fired != ScheduleStore.Fired.FIRED) {
            throw new HttpException(409, "schedule " + name + " changed meanwhile; try again");
          }
          return new JsonObject().put("id", id).put("status", "queued");
        }))
        .onSuccess(answer -> ctx.response().setStatusCode(202).putHeader("content-type", "application/json").end(answer.encode()))
        .onFailure(ctx::fail);
  }

  private Future<ScheduleStore.Stored> stored(String name) {
    return store.all().map(all -> {
      ScheduleStore.Stored s = all.get(name);
      if (s == null) {
        throw new HttpException(404, "no schedule " + name);
      }
      return s;
    });
  }

  private Future<JsonObject> changed(String name) {
    vertx.eventBus().publish(ScheduleAddresses.CHANGED, name);
    return stored(name).map(SchedulesApi::view);
  }

  private static JsonObject view(ScheduleStore.Stored s) {
    JsonObject view = s.schedule().toJson();
    view.put("lastTick", s.lastTick() == 0 ? null : Instant.ofEpochMilli(s.lastTick()).toString());
    view.put("nextTick", s.schedule().paused() ? null
        : s.schedule().nextTick(Instant.now()).map(Instant::toString).orElse(null));
    return view;
  }

  private static String name(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    return request.getPathParameters().get("name").getString();
  }
}
