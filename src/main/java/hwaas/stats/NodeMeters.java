package hwaas.stats;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** The node's job counters and queue figures as Prometheus metrics, beside the Vert.x ones. */
public final class NodeMeters {
  private NodeMeters() {
  }

  public static void bind(MeterRegistry registry, NodeCounters counters, Collection<String> types,
                          AtomicReference<JsonArray> queues) {
    counter(registry, "hwaas.jobs.submitted", "jobs submitted by this node's clients and confirmed", counters.submitted);
    counter(registry, "hwaas.jobs.printed", "print jobs run and acknowledged by this node's workers", counters.printed);
    counter(registry, "hwaas.jobs.failed", "failed attempts on this node", counters.failed);
    counter(registry, "hwaas.jobs.dead", "jobs this node moved to the dead-letter stream", counters.dead);
    counter(registry, "hwaas.jobs.retries", "jobs resent by this node's clients after a failed or timed-out submission", counters.retried);
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      prometheus.getPrometheusRegistry().register(counters.latency);
    }
    Gauge.builder("hwaas.eventloop.delay", counters.eventLoopDelayMillis, java.util.concurrent.atomic.AtomicLong::get)
        .description("how late a once-a-second timer fired on the stats verticle's event loop").baseUnit("milliseconds")
        .register(registry);
    for (String type : types) {
      Gauge.builder("hwaas.queue.pending", queues, q -> figure(q.get(), type, "pending"))
          .description("entries waiting for a worker").tag("type", type).register(registry);
      Gauge.builder("hwaas.queue.inflight", queues, q -> figure(q.get(), type, "inFlight"))
          .description("entries delivered and not yet acknowledged").tag("type", type).register(registry);
      Gauge.builder("hwaas.queue.lag", queues, q -> figure(q.get(), type, "lag"))
          .description("consumer group lag").tag("type", type).register(registry);
    }
  }

  private static void counter(MeterRegistry registry, String name, String description, LongAdder adder) {
    FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
  }

  private static double figure(JsonArray queues, String type, String field) {
    if (queues == null) {
      return Double.NaN;
    }
    for (Object q : queues) {
      JsonObject queue = (JsonObject) q;
      if (type.equals(queue.getString("type"))) {
        return queue.getLong(field, 0L);
      }
    }
    return Double.NaN;
  }
}
