package hwaas.http;

import hwaas.config.HwaasConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's HTTP face: liveness and the pages in {@code webroot/}. */
public final class HttpVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);

  private final HwaasConfig config;
  private HttpServer server;

  public HttpVerticle(HwaasConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.route("/*").handler(StaticHandler.create("webroot"));
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      if (status >= 500) {
        log.error("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      }
      ctx.response().setStatusCode(status)
          .putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", ctx.response().getStatusMessage()).encode());
    });
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(config.httpPort(), config.httpHost())
        .onSuccess(s -> server = s);
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return server.actualPort();
  }
}
