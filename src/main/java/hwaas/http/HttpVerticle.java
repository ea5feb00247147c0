package hwaas.http;

import hwaas.chain.ChainView;
import hwaas.cluster.ClusterView;
import hwaas.jobs.JobContract;
import hwaas.jobs.JobHandlers;
import hwaas.queue.DeadBulk;
import hwaas.queue.JobActions;
import hwaas.queue.JobCancel;
import hwaas.queue.PartitionedRecords;
import hwaas.queue.PausedTypes;
import hwaas.queue.PipelinedConnection;
import hwaas.queue.QueueSettings;
import hwaas.redis.RedisSettings;
import hwaas.redis.SentinelFollower;
import hwaas.schedule.ScheduleStore;
import hwaas.work.WorkApi;
import hwaas.work.WorkSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;


/**
 * The node's HTTP face: the REST API (every request checked against {@code openapi.yaml} before a handler
 * sees it), liveness and readiness, and the pages in {@code webroot/}.
 */
public final class HttpVerticle extends VerticleBase {
  /** Jobs are small; anything bigger is a mistake or an attack. */
  static final int BODY_LIMIT = 64 * 1024;
  /** A batch of up to 1000 jobs: about 2 KiB each. */
  static final int BATCH_BODY_LIMIT = 2 * 1024 * 1024;

  private final HttpSettings settings;
  private final RedisSettings redisSettings;
  private final QueueSettings queue;
  private final JobContract contract;
  private final JobHandlers types;
  private final ClusterView cluster;
  private final String metricsRegistry;
  private final WorkSettings work;
  private final PausedTypes paused;
  private Redis redis;
  /** The connection that reads of jobs ({@link ChainView}) and submissions' own requests ({@link JobsApi}) share. */
  private PipelinedConnection sharedConnection;
  private HttpServer server;
  private WorkApi workApi;
  private ConsoleFeed feed;
  /** The jobs whose changes someone on this node listens to: the relay hands over only theirs. */
  private final WatchedJobs watched = new WatchedJobs();

  public HttpVerticle(HttpSettings settings, RedisSettings redisSettings, QueueSettings queue, JobContract contract,
                      JobHandlers types, ClusterView cluster, String metricsRegistry, WorkSettings work,
                      PausedTypes paused) {
    this.work = work;
    this.paused = paused;
    this.settings = settings;
    this.redisSettings = redisSettings;
    this.queue = queue;
    this.contract = contract;
    this.types = types;
    this.cluster = cluster;
    this.metricsRegistry = metricsRegistry;
  }

  @Override
  public Future<?> start() {
    redis = redisSettings.client(vertx);
    sharedConnection = new PipelinedConnection(redis);
    feed = new ConsoleFeed(vertx, redis, queue.partitionKeys());
    return JobEventRelay.start(vertx, watched)
        .compose(v -> feed.start())
        .compose(v -> WorkApi.start(vertx, redis, redisSettings.options(), queue, contract, work))
        .compose(api -> {
          workApi = api;
          return vertx.eventBus().localConsumer(SentinelFollower.PRIMARY_MOVED, m -> {
            sharedConnection.reconnect();
            workApi.primaryMoved();
          }).completion();
        })
        .compose(v -> ApiContract.load(vertx, contract))
        .map(this::router)
        .compose(router -> vertx.createHttpServer(new HttpServerOptions()
                // The bridge carries small JSON messages; nothing a browser sends needs more.
                .setMaxWebSocketFrameSize(16 * 1024).setMaxWebSocketMessageSize(64 * 1024))
            .requestHandler(router).listen(settings.port(), settings.host()))
        .onSuccess(s -> server = s)
        .onFailure(err -> stop());
  }

  @Override
  public Future<?> stop() {
    return (workApi == null ? Future.succeededFuture() : workApi.stop())
        .eventually(() -> sharedConnection == null ? Future.succeededFuture() : sharedConnection.close())
        .eventually(() -> redis.close());
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return server.actualPort();
  }

  private Router router(ApiContract api) {
    JobsApi jobs = new JobsApi(vertx, sharedConnection, queue, types, contract);
    QueuesApi queues = new QueuesApi(vertx, redis, queue.partitionKeys(), types, paused);
    DeadApi dead = new DeadApi(redis, queue);
    RouterBuilder builder = RouterBuilder.create(vertx, api.contract(), RequestExtractor.withBodyHandler());
    JobWatch watch = new JobWatch(vertx, new ChainView(sharedConnection, new PartitionedRecords(queue.partitionKeys(), queue.recordTtl())), watched);
    builder.getRoute("getJob").addHandler(watch::get);
    JobCancel jobCancel = new JobCancel(vertx, redis, queue.partitionKeys());
    builder.getRoute("cancelJob").addHandler(new CancelApi(vertx, jobCancel)::cancel);
    JobActionsApi jobActions = new JobActionsApi(vertx, new JobActions(redis, queue.partitionKeys(), jobCancel));
    builder.getRoute("retryJob").addHandler(jobActions::retryNow);
    builder.getRoute("deleteJob").addHandler(jobActions::delete);
    SchedulesApi schedules = new SchedulesApi(vertx, new ScheduleStore(redis, queue.keys(), queue.recordTtl()), contract);
    builder.getRoute("putSchedule").addHandler(schedules::put);
    builder.getRoute("listSchedules").addHandler(schedules::list);
    builder.getRoute("deleteSchedule").addHandler(schedules::delete);
    builder.getRoute("pauseSchedule").addHandler(ctx -> schedules.pause(ctx, true));
    builder.getRoute("resumeSchedule").addHandler(ctx -> schedules.pause(ctx, false));
    builder.getRoute("triggerSchedule").addHandler(schedules::trigger);
    builder.getRoute("declareType").addHandler(workApi::declare);
    builder.getRoute("fetchWork").addHandler(workApi::fetch);
    builder.getRoute("completeWork").addHandler(workApi::complete);
    builder.getRoute("completeWorkBatch").addHandler(workApi::completeAll);
    builder.getRoute("failWork").addHandler(workApi::fail);
    builder.getRoute("extendWork").addHandler(workApi::extend);
    ConsoleApi console = new ConsoleApi(redis, queue.partitionKeys());
    builder.getRoute("listJobs").addHandler(console::listJobs);
    builder.getRoute("listClients").addHandler(console::listClients);
    builder.getRoute("jobsToday").addHandler(console::jobsToday);
    builder.getRoute("getClient").addHandler(console::getClient);
    builder.getRoute("listQueues").addHandler(queues::list);
    builder.getRoute("pauseQueue").addHandler(queues::pause);
    builder.getRoute("resumeQueue").addHandler(queues::resume);
    builder.getRoute("listDead").addHandler(dead::list);
    builder.getRoute("requeueDead").addHandler(dead::requeue);
    builder.getRoute("requeueDeadByFilter").addHandler(ctx -> dead.bulk(ctx, DeadBulk.Action.REQUEUE));
    builder.getRoute("deleteDeadByFilter").addHandler(ctx -> dead.bulk(ctx, DeadBulk.Action.DELETE));
    builder.getRoute("deleteDead").addHandler(dead::delete);
    builder.getRoute("getCluster").addHandler(ctx -> {
      var context = vertx.getOrCreateContext();
      // Hazelcast answers on its own threads: reply from this verticle's event loop.
      cluster.nodes().onComplete(ar -> context.runOnContext(v -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
          return;
        }
        ctx.json(new JsonObject().put("name", cluster.name()).put("redis", redisSettings.redacted())
            .put("nodes", ar.result()));
      }));
    });
    builder.getRoute("health").addHandler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    builder.getRoute("ready").addHandler(ctx -> redis.send(Request.cmd(Command.PING))
        .onSuccess(pong -> ctx.json(new JsonObject().put("status", "READY").put("redis", "up").put("cluster", vertx.isClustered())))
        .onFailure(err -> ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
            .end(new JsonObject().put("status", "NOT_READY").put("redis", "down: " + err.getMessage()).encode())));

    builder.getRoute("getAccess").addHandler(ctx -> ctx.json(new JsonObject()
        .put("role", ctx.get(ApiGuards.ROLE) == ApiGuards.Role.ADMIN ? "admin" : "read")));

    // The tokens are checked by ApiGuards before validation (so a bad token is 401, not 400);
    // the contract still declares the scheme for its readers.
    builder.getRoutes().forEach(route -> route.setDoSecurity(false));

    Router router = Router.router(vertx);
    if (settings.loopback()) {
      router.route().handler(ApiGuards.loopbackHost());
    }
    router.route().handler(ApiGuards::securityHeaders);
    router.get("/api/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml").end(api.yaml()));
    router.route("/api/*").handler(ApiGuards.bearer(settings));
    router.post("/api/jobs").handler(ApiGuards::jsonBody);
    router.post("/api/jobs/batch").handler(ApiGuards::jsonBody);
    router.post("/api/jobs/batch").handler(BodyHandler.create(false).setBodyLimit(BATCH_BODY_LIMIT));
    router.post("/api/work/complete").handler(BodyHandler.create(false).setBodyLimit(BATCH_BODY_LIMIT));
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    // Submissions are checked by JobsApi with compiled schemas, not by the router's per-request validation.
    router.post("/api/jobs").handler(jobs::submit);
    router.post("/api/jobs/batch").handler(jobs::submitBatch);
    workApi.mount(router); // fetch and complete: bodies checked by WorkRequests, not by the router (the hot path)
    router.get("/api/jobs/:id/events").handler(watch::events);
    router.get("/api/jobs/:id").handler(watch::get); // checked by JobWatch, not by the router's per-request validation
    router.route("/*").subRouter(builder.createRouter());
    router.route("/api/*").handler(ctx -> ApiErrors.respond(ctx, 404, "no API endpoint " + ctx.request().method() + " "
        + ctx.request().path() + "; see /api/openapi.yaml"));
    router.route("/eventbus/*").handler(EventBusBridge::sameOrigin);
    // SockJS's XHR transports (a browser that cannot keep a WebSocket) post their frames: as small as WebSocket messages.
    router.post("/eventbus/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.route("/eventbus/*").subRouter(EventBusBridge.create(vertx, settings, feed, watched));
    if (!settings.metricsPublic()) {
      router.get("/metrics").handler(ApiGuards.bearer(settings));
    }
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metricsRegistry));
    router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    router.route("/*").handler(StaticHandler.create("webroot"));
    router.route().failureHandler(ApiErrors::handle);
    return router;
  }
}
