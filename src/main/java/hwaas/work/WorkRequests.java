package hwaas.work;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bodies of the hot work requests (fetch, complete, complete many), checked here against the same rules as
 * openapi.yaml states for them, rather than by the router's request validation: that one compiles a validator and
 * hops to a worker thread per request, which the profile of the external-worker bench showed as 40 % of the node's
 * samples. Each check throws {@link IllegalArgumentException} naming where the body is wrong (answered 400).
 */
final class WorkRequests {
  static final Pattern TYPE = Pattern.compile("^[a-z][a-z0-9_-]{0,63}$");
  static final Pattern LEASE = Pattern.compile("^[0-9a-f]{32}$");
  static final int MAX_FETCH = 1000;
  static final double MAX_WAIT_SECONDS = 30;
  static final int MAX_BATCH = 1000;

  private WorkRequests() {
  }

  /** The body as a JSON object, or 400/415 as the router's validation would answer. */
  static JsonObject body(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new IllegalArgumentException("send the body as Content-Type: application/json" + (type == null ? "" : ", not " + type));
    }
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        throw new IllegalArgumentException("/: the request body is required");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("/: the body must be a JSON object: " + e.getMessage());
    }
  }

  static String pathParam(String value, Pattern pattern, String name) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException("/" + name + ": must match " + pattern.pattern());
    }
    return value;
  }

  /** {"max": 1..1000 (1), "wait": 0..30 seconds (0)}: the max. */
  static int max(JsonObject fetch) {
    only(fetch, Set.of("max", "wait"), "");
    Object max = fetch.getValue("max", 1);
    if (!(max instanceof Integer || max instanceof Long) || ((Number) max).longValue() < 1 || ((Number) max).longValue() > MAX_FETCH) {
      throw new IllegalArgumentException("/max: an integer from 1 to " + MAX_FETCH + ", got " + max);
    }
    return ((Number) max).intValue();
  }

  /** The wait of a fetch body, in seconds. */
  static double waitSeconds(JsonObject fetch) {
    Object wait = fetch.getValue("wait", 0);
    if (!(wait instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > MAX_WAIT_SECONDS) {
      throw new IllegalArgumentException("/wait: a number of seconds from 0 to 30, got " + wait);
    }
    return n.doubleValue();
  }

  /** {"result": {...}} (optional): the result, or null. */
  static JsonObject result(JsonObject complete, String where) {
    only(complete, Set.of("result"), where);
    return object(complete, "result", where);
  }

  /** {"jobs": [{"lease", "result"}, ...]}, 1 to 1000 of them: the jobs, each checked. */
  static JsonArray batch(JsonObject body) {
    only(body, Set.of("jobs"), "");
    if (!(body.getValue("jobs") instanceof JsonArray jobs)) {
      throw new IllegalArgumentException("/jobs: an array of {\"lease\", \"result\"} is required");
    }
    if (jobs.isEmpty() || jobs.size() > MAX_BATCH) {
      throw new IllegalArgumentException("/jobs: from 1 to " + MAX_BATCH + " jobs, got " + jobs.size());
    }
    for (int i = 0; i < jobs.size(); i++) {
      String where = "/jobs/" + i;
      if (!(jobs.getValue(i) instanceof JsonObject job)) {
        throw new IllegalArgumentException(where + ": an object {\"lease\", \"result\"}");
      }
      only(job, Set.of("lease", "result"), where);
      if (!(job.getValue("lease") instanceof String lease) || !LEASE.matcher(lease).matches()) {
        throw new IllegalArgumentException(where + "/lease: a lease (32 hex digits) is required");
      }
      object(job, "result", where);
    }
    return jobs;
  }

  private static JsonObject object(JsonObject json, String field, String where) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof JsonObject)) {
      throw new IllegalArgumentException(where + "/" + field + ": must be an object");
    }
    if (value == null && json.containsKey(field)) {
      throw new IllegalArgumentException(where + "/" + field + ": must be an object, not null");
    }
    return (JsonObject) value;
  }

  private static void only(JsonObject json, Set<String> allowed, String where) {
    for (String name : json.fieldNames()) {
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(where + "/" + name + ": not a property of this request (allowed: "
            + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }
}
