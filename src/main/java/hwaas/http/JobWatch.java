package hwaas.http;

import hwaas.chain.ChainView;
import hwaas.stats.StatsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Results without polling: {@code GET /api/jobs/{id}?wait=S} and {@code GET /api/jobs/{id}/events}. Each listens, on
 * this node only, on the job's event-bus address, where {@link JobEventRelay} hands over every change that whichever
 * node's worker runs the job announces, and reads the record
 * once after the listener is in place (a change before it shows in the record, one after it arrives as an event), so
 * no waiting request polls Redis.
 */
final class JobWatch {
  /** Comment lines on an idle event stream, so that proxies keep it open. */
  private static final long KEEP_ALIVE_MILLIS = 15_000;
  /** The contract's JobId pattern: the job's and its events' paths are routed by hand. */
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
  /** The contract's bound of {@code wait}. */
  private static final int MAX_WAIT_SECONDS = 30;
  private static final Pattern WAIT = Pattern.compile("[0-9]{1,2}");

  private final Vertx vertx;
  private final ChainView jobs;
  private final WatchedJobs watched;

  JobWatch(Vertx vertx, ChainView jobs, WatchedJobs watched) {
    this.vertx = vertx;
    this.jobs = jobs;
    this.watched = watched;
  }

  /** A listener on the job's address, counted as watching it until {@code stop} (idempotent) unregisters it. */
  private record Listener(MessageConsumer<JsonObject> consumer, Runnable stop) {
  }

  private Listener listen(String id) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(StatsAddresses.job(id));
    watched.add(id);
    boolean[] stopped = {false};
    return new Listener(consumer, () -> {
      if (!stopped[0]) {
        stopped[0] = true;
        watched.remove(id);
        consumer.unregister();
      }
    });
  }

  static boolean finished(String status) {
    return "completed".equals(status) || "dead".equals(status) || "canceled".equals(status);
  }

  /** {@code GET /api/jobs/{id}}: at once, or with {@code wait} as soon as the job is finished. */
  void get(RoutingContext ctx) {
    // Routed by hand, ahead of the contract's router: its validation compiles a schema validator and hops to a worker
    // thread per request, two thirds of the node's CPU under a load of GETs. The checks are the contract's.
    String id = ctx.pathParam("id");
    if (!JOB_ID.matcher(id).matches()) {
      ApiErrors.respond(ctx, 400, "a job id is 1 to 128 letters, digits, '_', '.', ':' or '-'");
      return;
    }
    List<String> waits = ctx.queryParam("wait");
    int wait = 0;
    if (!waits.isEmpty()) {
      String given = waits.get(waits.size() - 1);
      wait = WAIT.matcher(given).matches() ? Integer.parseInt(given) : -1;
      if (waits.size() > 1 || wait < 0 || wait > MAX_WAIT_SECONDS) {
        ApiErrors.respond(ctx, 400, "wait is a whole number of seconds from 0 to " + MAX_WAIT_SECONDS + ", once; got "
            + String.join(", ", waits));
        return;
      }
    }
    if (wait == 0) {
      read(id).onSuccess(record -> answer(ctx, id, record)).onFailure(ctx::fail);
      return;
    }
    Listener listener = listen(id);
    MessageConsumer<JsonObject> consumer = listener.consumer();
    Promise<JsonObject> done = Promise.promise(); // the record to answer with; null: read it again
    consumer.handler(event -> {
      if (finished(event.body().getString("status"))) {
        done.tryComplete(null);
      }
    });
    long timer = vertx.setTimer(wait * 1000L, t -> done.tryComplete(null));
    ctx.response().closeHandler(v -> done.tryFail("the client went away"));
    consumer.completion()
        .compose(v -> read(id))
        .onSuccess(record -> {
          if (record == null || finished(record.getString("status"))) {
            done.tryComplete(record == null ? new JsonObject() : record);
          }
        })
        .onFailure(done::tryFail);
    done.future()
        .compose(record -> record == null ? read(id) : Future.succeededFuture(record.isEmpty() ? null : record))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          listener.stop().run();
          if (ar.succeeded()) {
            answer(ctx, id, ar.result());
          } else if (!ctx.response().closed()) {
            ctx.fail(ar.cause());
          }
        });
  }

  /** {@code GET /api/jobs/{id}/events}: the record, then each change, as Server-Sent Events, until it is finished. */
  void events(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!JOB_ID.matcher(id).matches()) {
      ApiErrors.respond(ctx, 400, "a job id is 1 to 128 letters, digits, '_', '.', ':' or '-'");
      return;
    }
    HttpServerResponse response = ctx.response();
    Listener listener = listen(id);
    MessageConsumer<JsonObject> consumer = listener.consumer();
    // Changes that arrive before the record was read wait for it, so the stream starts with the record.
    List<JsonObject> early = new ArrayList<>();
    boolean[] started = {false};
    long[] keepAlive = {-1};
    Runnable stop = () -> {
      listener.stop().run();
      vertx.cancelTimer(keepAlive[0]);
    };
    consumer.handler(event -> {
      if (!started[0]) {
        early.add(event.body());
      } else if (send(response, eventName(event.body()), event.body())) {
        stop.run();
      }
    });
    response.closeHandler(v -> stop.run());
    consumer.completion()
        .compose(v -> read(id))
        .onSuccess(record -> {
          if (response.closed()) {
            stop.run();
            return;
          }
          if (record == null) {
            stop.run();
            ApiErrors.respond(ctx, 404, "no job " + id + " (unknown, or its record expired)");
            return;
          }
          response.setChunked(true).putHeader("content-type", "text/event-stream")
              .putHeader("cache-control", "no-store").putHeader("x-accel-buffering", "no");
          started[0] = true;
          boolean over = send(response, "job", record);
          for (JsonObject event : early) {
            over = over || send(response, eventName(event), event);
          }
          if (over) {
            stop.run();
          } else {
            keepAlive[0] = vertx.setPeriodic(KEEP_ALIVE_MILLIS, t -> response.write(": keep-alive\n\n"));
          }
        })
        .onFailure(err -> {
          stop.run();
          ctx.fail(err);
        });
  }

  /** A change of status, or a report of progress ({"id", "progress"}, no status). */
  private static String eventName(JsonObject change) {
    return change.containsKey("status") ? "status" : "progress";
  }

  /** Writes one event; ends the stream and answers true when the job is finished. */
  private static boolean send(HttpServerResponse response, String name, JsonObject data) {
    if (response.ended()) {
      return true;
    }
    String text = "event: " + name + "\ndata: " + data.encode() + "\n\n";
    if (finished(data.getString("status"))) {
      response.end(text);
      return true;
    }
    response.write(text);
    return false;
  }

  private Future<JsonObject> read(String id) {
    return jobs.read(id);
  }

  private static void answer(RoutingContext ctx, String id, JsonObject record) {
    if (ctx.response().closed()) {
      return;
    }
    if (record == null) {
      ApiErrors.respond(ctx, 404, "no job " + id + " (unknown, or its record expired)");
    } else {
      ctx.json(record);
    }
  }
}
