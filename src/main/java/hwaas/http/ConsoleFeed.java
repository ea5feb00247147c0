package hwaas.http;

import hwaas.queue.JobSearch;
import hwaas.queue.Partitions;
import hwaas.stats.StatsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Tells the job browsers open on this node that jobs changed, so they reload what they show instead of polling: at
 * most one message every {@link #PERIOD_MILLIS} on {@link #ADDRESS} (local to this node), and only while a browser
 * listens there (the bridge tells this feed who registers). It names the jobs that changed (from the changes workers
 * announce on {@link StatsAddresses#JOB_EVENTS}, which reach every node anyway) and the newest job of any partition,
 * read once per period ({@link JobSearch#newest}), so a job submitted on any node is seen. With no browser listening
 * it costs nothing but a look at an empty set.
 */
final class ConsoleFeed {
  private static final Logger log = LoggerFactory.getLogger(ConsoleFeed.class);
  /** Out to browsers only: {"ids": [changed job ids], "more": true if there were more than named, "newest": id}. */
  static final String ADDRESS = "hwaas.console.jobs";
  static final long PERIOD_MILLIS = 500;
  /** Job ids named per message, at most: a browser needs to know whether one it shows changed, not a log. */
  static final int IDS_AT_MOST = 200;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final JobSearch jobs;
  /** Bridge sockets that listen on {@link #ADDRESS}; touched on the HTTP verticle's event loop only. */
  private final Set<SockJSSocket> watchers = new java.util.HashSet<>();
  private final Set<String> changed = new LinkedHashSet<>();
  private boolean more;
  private String newest;
  private boolean reading;

  ConsoleFeed(Vertx vertx, Redis redis, Partitions partitions) {
    this.vertx = vertx;
    this.jobs = new JobSearch(redis, partitions);
  }

  Future<Void> start() {
    vertx.setPeriodic(PERIOD_MILLIS, t -> tick());
    return vertx.eventBus().<Object>consumer(StatsAddresses.JOB_EVENTS, message -> {
      if (watchers.isEmpty() || !(message.body() instanceof JsonArray events)) {
        return;
      }
      for (Object event : events) {
        if (event instanceof JsonObject change && change.getValue("id") instanceof String id) {
          if (changed.size() < IDS_AT_MOST) {
            changed.add(id);
          } else {
            more = true;
          }
        }
      }
    }).completion();
  }

  void watching(SockJSSocket socket) {
    watchers.add(socket);
  }

  void left(SockJSSocket socket) {
    watchers.remove(socket);
    if (watchers.isEmpty()) {
      changed.clear();
      more = false;
      newest = null;
    }
  }

  private void tick() {
    if (watchers.isEmpty() || reading) {
      return;
    }
    reading = true;
    jobs.newest()
        .onComplete(ar -> {
          reading = false;
          if (ar.failed()) {
            log.warn("the console feed could not read the newest job; browsers hear of changes only", ar.cause());
          }
          String top = ar.succeeded() ? ar.result() : newest;
          boolean arrived = top != null && !top.equals(newest);
          newest = top;
          if (!arrived && changed.isEmpty() && !more) {
            return;
          }
          JsonObject message = new JsonObject().put("ids", new JsonArray(java.util.List.copyOf(changed))).put("more", more)
              .put("newest", newest);
          changed.clear();
          more = false;
          vertx.eventBus().publish(ADDRESS, message, LOCAL);
        });
  }
}
