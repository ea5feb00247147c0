package hwaas.http;

import hwaas.queue.ClientFigures;
import hwaas.queue.JobFigures;
import hwaas.queue.JobSearch;
import hwaas.queue.Partitions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.redis.client.Redis;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The console's reads: {@code GET /api/jobs} with filters and cursor paging, and the clients' figures, each merged over
 * the service's partitions.
 */
final class ConsoleApi {
  private final JobSearch search;
  private final ClientFigures clients;
  private final JobFigures today;

  ConsoleApi(Redis redis, Partitions partitions) {
    this.search = new JobSearch(redis, partitions);
    this.clients = new ClientFigures(redis, partitions);
    this.today = new JobFigures(redis, partitions);
  }

  void listJobs(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JobSearch.Query query;
    try {
      Long since = time(request, "since");
      Long until = time(request, "until");
      if (since != null && until != null && since > until) {
        throw new IllegalArgumentException("since must not be after until");
      }
      Integer limit = integer(request, "limit");
      query = new JobSearch.Query(text(request, "state"), text(request, "type"), text(request, "client"),
          text(request, "q"), since, until, limit == null ? 20 : limit, text(request, "cursor"),
          "oldest".equals(text(request, "order")));
      search.page(query)
          .onSuccess(page -> ctx.json(new JsonObject().put("jobs", new JsonArray(page.jobs())).put("cursor", page.cursor())))
          .onFailure(ctx::fail);
    } catch (IllegalArgumentException e) {
      ApiErrors.respond(ctx, 400, e.getMessage());
    }
  }

  void jobsToday(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    try {
      Long since = time(request, "since");
      today.since(since == null ? LocalDate.now(ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli() : since)
          .onSuccess(ctx::json)
          .onFailure(ctx::fail);
    } catch (IllegalArgumentException e) {
      ApiErrors.respond(ctx, 400, e.getMessage());
    }
  }

  void listClients(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    Integer limit = integer(request, "limit");
    clients.list(limit == null ? 100 : limit)
        .onSuccess(rows -> ctx.json(new JsonObject().put("clients", rows)))
        .onFailure(ctx::fail);
  }

  void getClient(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    String name = request.getPathParameters().get("name").getString();
    clients.one(name).onSuccess(figures -> {
      if (figures == null) {
        ApiErrors.respond(ctx, 404, "no API jobs of client " + name + " (kept for --record-ttl)");
      } else {
        ctx.json(figures);
      }
    }).onFailure(ctx::fail);
  }

  static String text(ValidatedRequest request, String name) {
    RequestParameter p = request.getQuery().get(name);
    return p == null || p.isNull() ? null : p.getString();
  }

  private static Integer integer(ValidatedRequest request, String name) {
    RequestParameter p = request.getQuery().get(name);
    return p == null || p.isNull() ? null : p.getInteger();
  }

  private static Long time(ValidatedRequest request, String name) {
    String text = text(request, name);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + " must be an RFC 3339 time such as 2026-11-26T09:30:00Z, got " + text);
    }
  }
}
