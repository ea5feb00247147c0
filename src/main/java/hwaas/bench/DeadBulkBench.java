package hwaas.bench;

import hwaas.jobs.Job;
import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.queue.StreamKeys;
import hwaas.support.Printer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The dead letters' bulk actions at scale, on a real node (2 workers, the print queue paused so that the requeue is
 * measured alone): {@link #JOBS} dead letters written straight into the dead-letter stream as a reclaimer writes them,
 * then requeued all at once over the API; written again, then deleted all at once. Each row is the time of the one
 * request; meanwhile another connection asks {@code GET /health} every 10 ms, whose slowest answer shows whether the
 * node's event loop was ever held (the action walks the stream in short script calls, chained, never blocking).
 */
final class DeadBulkBench {
  static final int JOBS = 100_000;
  /** Dead letters written per script call while seeding. */
  private static final int SEED_CHUNK = 5_000;
  private static final String SEED = String.join("\n",
      "for i = tonumber(ARGV[2]), tonumber(ARGV[3]) do",
      "  local job = '{\"id\":\"bench-dead:' .. i .. '\",\"type\":\"print\",\"sentAt\":' .. ARGV[4]",
      "    .. ',\"payload\":{\"message\":\"hello, world!\"}}'",
      "  redis.call('XADD', ARGV[1], '*', 'job', job, 'error', 'bench: failed on purpose', 'attempts', 5,",
      "    'entry', '0-1', 'type', 'print', 'failedAt', ARGV[4])",
      "end",
      "return redis.call('XLEN', ARGV[1])");

  private final Supplier<NodeSettings> settings;
  private final Printer discard;
  private final Redis redis;
  private final PrintStream out;

  /** @param redis a client of the Redis the nodes use, to write the dead letters */
  DeadBulkBench(Supplier<NodeSettings> settings, Printer discard, Redis redis, PrintStream out) {
    this.settings = settings;
    this.discard = discard;
    this.redis = redis;
    this.out = out;
  }

  /** @param jobs dead letters per action: {@value #JOBS} for the figures the README quotes */
  List<BenchResult> run(int jobs) {
    NodeSettings config = settings.get();
    StreamKeys keys = config.queue().keys();
    Node node = Node.start(config, JobHandlers.standard(discard, config.limits()));
    Vertx vertx = Vertx.vertx();
    try (HttpLoad load = new HttpLoad(vertx, node.httpPort(), config.http().token(), 2)) {
      call(load, HttpMethod.POST, "/api/queues/" + Job.PRINT + "/pause");
      long enqueuedBefore = enqueued(keys);
      Measured requeue = measure(vertx, load, keys, jobs, "requeue");
      long requeued = enqueued(keys) - enqueuedBefore;
      if (requeued != jobs) {
        throw new IllegalStateException("dead letters: " + jobs + " requeued, but " + requeued + " print jobs were enqueued");
      }
      // The requeued jobs are not run (the queue is paused): emptied, the stream keeps its group, which the node's
      // stats and workers read until it stops.
      redis.send(Request.cmd(Command.XTRIM).arg(keys.stream(Job.PRINT)).arg("MAXLEN").arg(0)).await();
      Measured delete = measure(vertx, load, keys, jobs, "delete");
      String name = String.format(Locale.ROOT, "REST dead letters: bulk %%s of %,d, ", jobs);
      return List.of(BenchResult.of(String.format(name, "requeue") + "time", "s", List.of(requeue.seconds)),
          BenchResult.of(String.format(name, "requeue") + "slowest health answer meanwhile", "ms", List.of(requeue.probeMaxMillis)),
          BenchResult.of(String.format(name, "delete") + "time", "s", List.of(delete.seconds)),
          BenchResult.of(String.format(name, "delete") + "slowest health answer meanwhile", "ms", List.of(delete.probeMaxMillis)));
    } finally {
      vertx.close().await();
      node.stop();
    }
  }

  private long enqueued(StreamKeys keys) {
    var count = redis.send(Request.cmd(Command.HGET).arg(keys.counters(Job.PRINT)).arg("enqueued")).await();
    return count == null ? 0 : count.toLong();
  }

  private record Measured(double seconds, double probeMaxMillis) {
  }

  private Measured measure(Vertx vertx, HttpLoad load, StreamKeys keys, int jobs, String action) {
    long now = System.currentTimeMillis();
    for (int from = 0; from < jobs; from += SEED_CHUNK) {
      redis.send(Request.cmd(Command.EVAL).arg(SEED).arg(0).arg(keys.dead()).arg(from).arg(Math.min(jobs, from + SEED_CHUNK) - 1)
          .arg(now)).await();
    }
    Probe probe = new Probe(vertx, load);
    long began = System.nanoTime();
    JsonObject answer = call(load, HttpMethod.POST, "/api/dead/" + action);
    double seconds = (System.nanoTime() - began) / 1e9;
    double slowest = probe.stop();
    if (answer.getLong("matched") != jobs) {
      throw new IllegalStateException("dead letters: bulk " + action + " matched " + answer.getLong("matched") + ", not " + jobs);
    }
    long left = redis.send(Request.cmd(Command.XLEN).arg(keys.dead())).await().toLong();
    if (left != 0) {
      throw new IllegalStateException("dead letters: " + left + " left after the bulk " + action);
    }
    out.printf(Locale.ROOT, "dead letters: bulk %s of %,d in %.2f s; health answered within %.1f ms meanwhile (%d asks)%n",
        action, jobs, seconds, slowest, probe.asks);
    return new Measured(seconds, slowest);
  }

  private static JsonObject call(HttpLoad load, HttpMethod method, String uri) {
    return HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(method, uri, null, null, 200, 0)), 120_000).toJsonObject();
  }

  /** Asks GET /health every 10 ms on its own connection until stopped; keeps the slowest answer. */
  private static final class Probe {
    private final Vertx vertx;
    private final HttpLoad load;
    private final Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    private final Promise<Void> done = Promise.promise();
    private volatile boolean stopping;
    private long asks;

    Probe(Vertx vertx, HttpLoad load) {
      this.vertx = vertx;
      this.load = load;
      ask();
    }

    private void ask() {
      if (stopping) {
        done.tryComplete();
        return;
      }
      long began = System.nanoTime();
      load.fetch(new HttpLoad.Call(HttpMethod.GET, "/health", null, null, 200, 0)).onComplete(ar -> {
        micros.recordValue(Math.min(micros.getHighestTrackableValue(), (System.nanoTime() - began) / 1000));
        asks++;
        if (ar.failed()) {
          stopping = true;
          done.tryFail(ar.cause());
          return;
        }
        vertx.setTimer(10, t -> ask());
      });
    }

    double stop() {
      stopping = true;
      HttpLoad.awaitBounded(done.future(), 10_000);
      return micros.getMaxValue() / 1000.0;
    }
  }
}
