package hwaas.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/** Checks that come before the contract: who may read and write, from where, and in which format. */
final class ApiGuards {
  /** What a token may do; put on the routing context for the handlers. */
  enum Role { ADMIN, READ }

  static final String ROLE = "hwaas.role";
  private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD);

  private ApiGuards() {
  }

  /**
   * Every request needs {@code Authorization: Bearer <token>}: the admin token for anything, the read-only token
   * (if there is one) for reads only. 401 without a valid token, 403 for a write with the read-only token.
   */
  static Handler<RoutingContext> bearer(HttpSettings settings) {
    byte[] admin = bytes(settings.token());
    byte[] read = settings.readToken() == null ? null : bytes(settings.readToken());
    return ctx -> {
      String given = ctx.request().getHeader("Authorization");
      if (given == null || !given.regionMatches(true, 0, "Bearer ", 0, 7)) {
        ApiErrors.respond(ctx, 401, "this request needs an 'Authorization: Bearer TOKEN' header");
        return;
      }
      byte[] presented = bytes(given.substring(7).trim());
      Role role = MessageDigest.isEqual(admin, presented) ? Role.ADMIN
          : read != null && MessageDigest.isEqual(read, presented) ? Role.READ : null;
      if (role == null) {
        ApiErrors.respond(ctx, 401, "the bearer token is not one of this service's tokens");
      } else if (role == Role.READ && !READS.contains(ctx.request().method())) {
        ApiErrors.respond(ctx, 403, "the read-only token cannot change anything; this needs the admin token");
      } else {
        ctx.put(ROLE, role);
        ctx.next();
      }
    };
  }

  /**
   * On a loopback bind, only requests addressed to a loopback name are served: a page of another site whose name
   * an attacker re-pointed at 127.0.0.1 (DNS rebinding) carries its own name in {@code Host} and is refused.
   */
  static Handler<RoutingContext> loopbackHost() {
    return ctx -> {
      String host = ctx.request().authority() == null ? null : ctx.request().authority().host();
      String name = host == null ? "" : host.toLowerCase(Locale.ROOT);
      if (name.equals("localhost") || name.startsWith("127.") || name.equals("[::1]") || name.equals("::1")) {
        ctx.next();
      } else {
        ApiErrors.respond(ctx, 421, "this node serves 127.0.0.1 and localhost only, not '" + host + "'");
      }
    };
  }

  /** Headers that keep the page in its own origin: scripts, styles and connections from this node only, no framing. */
  static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader(CSP, CSP_VALUE)
        .putHeader(NO_SNIFF, NO_SNIFF_VALUE)
        .putHeader(REFERRER, REFERRER_VALUE)
        .putHeader(FRAMES, FRAMES_VALUE);
    ctx.next();
  }

  // Every response carries these: encoded once (Vert.x's optimized header text), not on each response.
  private static final CharSequence CSP = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence CSP_VALUE = HttpHeaders.createOptimized("default-src 'self'; script-src 'self'; "
      + "style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  private static final CharSequence NO_SNIFF = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NO_SNIFF_VALUE = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence REFERRER = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence REFERRER_VALUE = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence FRAMES = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence FRAMES_VALUE = HttpHeaders.createOptimized("DENY");

  /** A request with a body must say it is JSON. */
  static void jsonBody(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      ApiErrors.respond(ctx, 415, "send the job as Content-Type: application/json" + (type == null ? "" : ", not " + type));
      return;
    }
    ctx.next();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
