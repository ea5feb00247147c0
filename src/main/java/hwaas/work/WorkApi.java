package hwaas.work;

import hwaas.jobs.JobContract;
import hwaas.queue.QueueSettings;
import hwaas.redis.RedisClients;
import hwaas.worker.ExternalWork;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The REST side of external workers: {@code PUT /api/types/{name}} declares a type, {@code POST /api/work/...} fetch,
 * complete, fail and extend leased jobs ({@link ExternalWork}). Bodies were validated by the router against the
 * contract; what it cannot know (a type that is not declared, a lease that is gone) is answered here.
 */
public final class WorkApi {
  private static final Logger log = LoggerFactory.getLogger(WorkApi.class);
  private final JobContract contract;
  private final DeclaredTypes declared;
  private final ExternalWork work;
  private final WorkSettings settings;

  private WorkApi(JobContract contract, DeclaredTypes declared, ExternalWork work, WorkSettings settings) {
    this.contract = contract;
    this.declared = declared;
    this.work = work;
    this.settings = settings;
  }

  /**
   * Declares the types of the flags and reads those kept in Redis, before the API serves.
   *
   * @param readerOptions how to reach Redis for the fetches' reads: they get a client of their own, so that connections
   *                      parked in a waiting read never come out of {@code redis}'s pool (with its 8 connections all
   *                      held by readers, every other command of the API waited for one, for good)
   */
  public static Future<WorkApi> start(Vertx vertx, Redis redis, RedisOptions readerOptions, QueueSettings queue,
                                      JobContract contract, WorkSettings settings) {
    DeclaredTypes declared = new DeclaredTypes(vertx, redis, queue.partitionKeys(), contract);
    Redis readers = RedisClients.create(vertx, readerOptions.setMaxPoolSize(WorkSettings.MAX_WAITING_READS));
    return declared.start(settings.declared())
        .map(v -> new WorkApi(contract, declared, new ExternalWork(vertx, redis, readers, queue, settings.consumerPrefix(),
            settings.lease(), settings.maxAttempts(), settings.retryBackoff(), WorkSettings.MAX_WAITING_READS), settings))
        .onFailure(err -> readers.close());
  }

  public Future<Void> stop() {
    return Future.join(declared.stop(), work.close()).mapEmpty();
  }

  /** The primary moved: the fetches' readers connect again. */
  public void primaryMoved() {
    work.primaryMoved();
  }

  public void declare(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    declared.declare(name, ctx.body().asJsonObject())
        .onSuccess(schema -> ctx.json(new JsonObject().put("type", name).put("schema", schema)))
        .onFailure(err -> ctx.fail(err instanceof IllegalArgumentException ? new HttpException(400, err.getMessage(), err) : err));
  }

  /**
   * Serves the hot requests (fetch, complete, complete many) on {@code router} ahead of the contract's router, their
   * bodies checked by {@link WorkRequests}; the contract's routes stay for the others and for the document.
   */
  public void mount(Router router) {
    router.post("/api/work/complete").handler(this::completeAll);
    router.post("/api/work/:type/fetch").handler(this::fetch);
    router.post("/api/work/:lease/complete").handler(this::complete);
  }

  public void fetch(RoutingContext ctx) {
    String type;
    int max;
    double wait;
    try {
      type = WorkRequests.pathParam(ctx.pathParam("type"), WorkRequests.TYPE, "type");
      JsonObject body = WorkRequests.body(ctx);
      max = WorkRequests.max(body);
      wait = WorkRequests.waitSeconds(body);
    } catch (IllegalArgumentException e) {
      ctx.fail(new HttpException(400, e.getMessage(), e));
      return;
    }
    if (!contract.isDeclared(type)) {
      ctx.fail(new HttpException(404, "no declared type '" + type + "'; declare it with PUT /api/types/" + type));
      return;
    }
    work.fetch(type, max, Duration.ofMillis(Math.round(wait * 1000)))
        .onSuccess(jobs -> {
          if (ctx.response().closed()) {
            work.release(jobs).onFailure(err -> log.warn("jobs of {} fetched for a closed connection stay pending until "
                + "their lease expires", type, err));
          } else {
            ctx.json(new JsonObject().put("jobs", jobs));
          }
        })
        .onFailure(err -> ctx.fail(new HttpException(503, "could not take jobs of " + type + ": " + err.getMessage(), err)));
  }

  public void complete(RoutingContext ctx) {
    String lease;
    JsonObject result;
    try {
      lease = WorkRequests.pathParam(ctx.pathParam("lease"), WorkRequests.LEASE, "lease");
      result = WorkRequests.result(WorkRequests.body(ctx), "");
    } catch (IllegalArgumentException e) {
      ctx.fail(new HttpException(400, e.getMessage(), e));
      return;
    }
    answer(ctx, work.complete(lease, result));
  }

  /** {@code POST /api/work/complete}: {"jobs": [{"lease", "result"}, ...]}, up to 1000 in one request. */
  public void completeAll(RoutingContext ctx) {
    JsonArray jobs;
    try {
      jobs = WorkRequests.batch(WorkRequests.body(ctx));
    } catch (IllegalArgumentException e) {
      ctx.fail(new HttpException(400, e.getMessage(), e));
      return;
    }
    List<String> leases = new ArrayList<>(jobs.size());
    List<JsonObject> results = new ArrayList<>(jobs.size());
    for (Object job : jobs) {
      leases.add(((JsonObject) job).getString("lease"));
      results.add(((JsonObject) job).getJsonObject("result"));
    }
    answer(ctx, work.completeAll(leases, results));
  }

  public void fail(RoutingContext ctx) {
    answer(ctx, work.fail(ctx.pathParam("lease"), ctx.body().asJsonObject().getString("error")));
  }

  public void extend(RoutingContext ctx) {
    JsonObject body = ctx.body().isEmpty() ? null : ctx.body().asJsonObject();
    answer(ctx, work.extend(ctx.pathParam("lease"), body == null ? null : body.getJsonObject("progress")));
  }

  private static void answer(RoutingContext ctx, Future<JsonObject> outcome) {
    outcome.onSuccess(ctx::json)
        .onFailure(err -> ctx.fail(err instanceof ExternalWork.LeaseGone ? new HttpException(404, err.getMessage())
            : err instanceof ExternalWork.LeaseCanceled ? new HttpException(409, err.getMessage()) : err));
  }

  WorkSettings settings() {
    return settings;
  }
}
