package hwaas.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks that come before the contract: who may write, and in which format. */
final class ApiGuards {
  private ApiGuards() {
  }

  /** Every write (POST) needs {@code Authorization: Bearer <token>}; reads are open. */
  static Handler<RoutingContext> bearer(String token) {
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    return ctx -> {
      if (ctx.request().method() != HttpMethod.POST) {
        ctx.next();
        return;
      }
      String given = ctx.request().getHeader("Authorization");
      if (given == null) {
        ApiErrors.respond(ctx, 401, "this request needs an 'Authorization: Bearer TOKEN' header");
      } else if (!MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
        ApiErrors.respond(ctx, 401, "the bearer token is not this service's token");
      } else {
        ctx.next();
      }
    };
  }

  /** A request with a body must say it is JSON. */
  static void jsonBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      ApiErrors.respond(ctx, 415, "send the job as Content-Type: application/json" + (type == null ? "" : ", not " + type));
      return;
    }
    ctx.next();
  }
}
