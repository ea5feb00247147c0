package hwaas.http;

import hwaas.queue.QueueFailure;
import hwaas.support.RepeatedErrors;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Every error of the API as {@code {"error": ..., "detail": ...}} with the right status. */
final class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
  /** A failure that fails many requests (Redis down) is logged once a minute per kind, not once per request. */
  private static final RepeatedErrors REPEATED = new RepeatedErrors(log::error, 60, TimeUnit.SECONDS);
  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(400, "bad request"), Map.entry(401, "unauthorized"), Map.entry(403, "forbidden"), Map.entry(404, "not found"),
      Map.entry(405, "method not allowed"), Map.entry(409, "conflict"), Map.entry(413, "request body too large"), Map.entry(415, "unsupported media type"),
      Map.entry(421, "misdirected request"), Map.entry(422, "unprocessable content"), Map.entry(429, "too many requests"), Map.entry(500, "internal error"), Map.entry(503, "unavailable"));

  private ApiErrors() {
  }

  static void respond(RoutingContext ctx, int status, String detail) {
    if (ctx.response().ended()) {
      return;
    }
    JsonObject body = new JsonObject().put("error", NAMES.getOrDefault(status, "error"));
    if (detail != null) {
      body.put("detail", detail);
    }
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** The router's failure handler: what a handler or the contract validation failed with. */
  static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    String detail = null;
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
      detail = http.getPayload() != null ? http.getPayload() : message(http.getCause());
    } else if (failure instanceof DecodeException || failure instanceof IllegalArgumentException) {
      status = 400;
      detail = failure.getMessage();
    } else if (failure != null && status == 500 && redisUnavailable(failure)) {
      // Not the API's fault: Redis is down, failing over, loading or full. The client may retry shortly.
      status = 503;
      detail = "Redis is unavailable (" + failure.getMessage() + "); retry shortly";
      ctx.response().putHeader("Retry-After", "1");
    } else if (failure != null) {
      detail = failure.getMessage();
    }
    if (detail == null && status == 413) {
      detail = "request bodies are limited to " + (ctx.request().path().endsWith("/batch")
          ? HttpVerticle.BATCH_BODY_LIMIT : HttpVerticle.BODY_LIMIT) + " bytes";
    } else if (detail == null) {
      detail = ctx.request().method() + " " + ctx.request().path();
    }
    if (status >= 500) {
      Throwable root = failure;
      while (root != null && root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String kind = status + " " + ctx.request().method() + " " + (root == null ? "" : root.getClass().getName() + ": "
          + String.valueOf(root.getMessage()).replaceAll("[0-9a-f]{8,}|\\d+", "#"));
      REPEATED.error(kind, ctx.request().method() + " " + ctx.request().path() + " failed", failure);
    }
    respond(ctx, status, detail);
  }

  /**
   * A failure of Redis rather than of the request: no connection (refused, closed, reset), or an answer that says it
   * cannot serve now (loading its data, no primary, a cluster without its slots, at its memory limit).
   */
  static boolean redisUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.nio.channels.ClosedChannelException) {
        return true;
      }
      String message = String.valueOf(t.getMessage());
      if (QueueFailure.isRedisFull(t) || message.startsWith("LOADING") || message.startsWith("MASTERDOWN")
          || message.startsWith("CLUSTERDOWN") || message.startsWith("TRYAGAIN") || message.startsWith("Connection reset")
          || message.contains("Connection is closed") || message.contains("Connection closed")) {
        return true;
      }
    }
    return false;
  }

  private static String message(Throwable t) {
    return t == null ? null : t.getMessage();
  }
}
