package hwaas.http;

import hwaas.stats.StatsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Hands the job changes that workers anywhere in the cluster announce ({@link StatsAddresses#JOB_EVENTS}) to this
 * node's listeners of each job's own address: requests waiting for a result, event streams, browsers on the bridge.
 * Only the jobs someone here watches ({@link WatchedJobs}) are handed over: a publish to an address nobody listens on
 * is not free.
 */
final class JobEventRelay {
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private JobEventRelay() {
  }

  static Future<Void> start(Vertx vertx, WatchedJobs watched) {
    return vertx.eventBus().<Object>consumer(StatsAddresses.JOB_EVENTS, message -> relay(vertx, watched, message)).completion();
  }

  private static void relay(Vertx vertx, WatchedJobs watched, Message<Object> message) {
    if (!(message.body() instanceof JsonArray events)) {
      return; // not from a worker of this service: nothing to relay
    }
    for (Object event : events) {
      if (event instanceof JsonObject change && change.getValue("id") instanceof String id && watched.watched(id)) {
        vertx.eventBus().publish(StatsAddresses.job(id), change, LOCAL);
      }
    }
  }
}
