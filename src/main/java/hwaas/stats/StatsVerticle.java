package hwaas.stats;

import hwaas.queue.QueueSettings;
import hwaas.redis.RedisSettings;
import hwaas.support.OutageLog;
import hwaas.queue.QueueStats;
import hwaas.queue.Partitions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Once a second, publishes one message with what this node did (counters, printed per second, the latency of
 * the last 10 seconds) and the queues as Redis sees them. Nothing is published per job: the page adds up the
 * nodes' messages.
 */
public final class StatsVerticle extends VerticleBase {
  private static final int WINDOW_SECONDS = 10;

  private final RedisSettings redisSettings;
  private final Partitions partitions;
  private final JsonObject node;
  private final NodeCounters counters;
  private final List<String> types;
  private final AtomicReference<JsonArray> lastQueues;
  private final OutageLog outage = new OutageLog(LoggerFactory.getLogger(StatsVerticle.class), "stats");
  private final Deque<Histogram> window = new ArrayDeque<>();
  private Redis redis;
  private long lastPrinted;
  private long lastAt = System.currentTimeMillis();

  /**
   * @param node       this node's description (its cluster metadata), sent with every message
   * @param lastQueues where the latest queue figures are left for the metrics gauges
   */
  public StatsVerticle(RedisSettings redisSettings, QueueSettings queue, JsonObject node, NodeCounters counters, List<String> types,
                       AtomicReference<JsonArray> lastQueues) {
    this.redisSettings = redisSettings;
    this.partitions = queue.partitionKeys();
    this.node = node;
    this.counters = counters;
    this.types = types;
    this.lastQueues = lastQueues;
  }

  @Override
  public Future<?> start() {
    redis = redisSettings.client(vertx);
    vertx.setPeriodic(1000, t -> publish());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return redis.close();
  }

  private void publish() {
    JsonObject stats = snapshot();
    QueueStats.read(redis, partitions, types)
        .onSuccess(queues -> {
          outage.success();
          lastQueues.set(queues);
          stats.put("queues", queues);
        })
        .onFailure(err -> outage.failure("reading the queues", err))
        .onComplete(ar -> vertx.eventBus().publish(StatsAddresses.STATS, stats));
  }

  private JsonObject snapshot() {
    long now = System.currentTimeMillis();
    counters.eventLoopDelayMillis.set(Math.max(0, now - lastAt - 1000));
    long printed = counters.printed.sum();
    double perSecond = (printed - lastPrinted) * 1000.0 / Math.max(1, now - lastAt);
    lastPrinted = printed;
    lastAt = now;
    window.addLast(counters.latency.interval());
    while (window.size() > WINDOW_SECONDS) {
      window.removeFirst();
    }
    Histogram latency = new Histogram(Latency.MAX_MILLIS, 3);
    window.forEach(latency::add);
    return new JsonObject()
        .put("node", node)
        .put("at", now)
        .put("submitted", counters.submitted.sum())
        .put("printed", printed)
        .put("failed", counters.failed.sum())
        .put("dead", counters.dead.sum())
        .put("retried", counters.retried.sum())
        .put("printedPerSecond", Math.round(perSecond * 10) / 10.0)
        .put("highestSeq", counters.highestSeq.get())
        .put("eventLoopDelayMillis", counters.eventLoopDelayMillis.get())
        .put("latency", new JsonObject()
            .put("windowSeconds", WINDOW_SECONDS)
            .put("count", latency.getTotalCount())
            .put("avg", latency.getTotalCount() == 0 ? null : Math.round(latency.getMean() * 100) / 100.0)
            .put("p50", latency.getTotalCount() == 0 ? null : latency.getValueAtPercentile(50))
            .put("p99", latency.getTotalCount() == 0 ? null : latency.getValueAtPercentile(99))
            .put("max", latency.getTotalCount() == 0 ? null : latency.getMaxValue()))
        .put("queues", new JsonArray());
  }
}
