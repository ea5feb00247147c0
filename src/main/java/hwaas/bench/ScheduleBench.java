package hwaas.bench;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How late recurring schedules fire, on a real node (2 workers): {@value #SCHEDULES} schedules that fire every second
 * for some seconds, and for each of their jobs the time from its tick to the moment a worker started it (so the
 * fire, the write and the pick-up together).
 */
final class ScheduleBench {
  static final int SCHEDULES = 5;

  private final Supplier<NodeSettings> settings;
  private final Printer discard;
  private final PrintStream out;

  ScheduleBench(Supplier<NodeSettings> settings, Printer discard, PrintStream out) {
    this.settings = settings;
    this.discard = discard;
    this.out = out;
  }

  List<BenchResult> run(int seconds) {
    NodeSettings config = settings.get();
    Node node = Node.start(config, JobHandlers.standard(discard, config.limits()));
    Vertx vertx = Vertx.vertx();
    try (HttpLoad load = new HttpLoad(vertx, node.httpPort(), config.http().token(), 4)) {
      for (int s = 0; s < SCHEDULES; s++) {
        JsonObject schedule = new JsonObject().put("name", "bench-" + s).put("cron", "* * * * * *")
            .put("job", new JsonObject().put("type", "sum").put("payload", new JsonObject().put("numbers", List.of(s)))
                .put("client", "bench-schedule-" + s));
        HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/schedules", schedule.toBuffer(), null, 201, 0)), 10_000);
      }
      Future.<Void>future(p -> node.vertx().setTimer(seconds * 1000L, t -> p.complete())).await();
      for (int s = 0; s < SCHEDULES; s++) {
        HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.DELETE, "/api/schedules/bench-" + s, null, null, 204, 0)), 10_000);
      }
      Histogram late = new Histogram(60_000, 3);
      for (int s = 0; s < SCHEDULES; s++) {
        Buffer jobs = HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.GET,
            "/api/jobs?client=bench-schedule-" + s + "&limit=1000", null, null, 200, 0)), 10_000);
        jobs.toJsonObject().getJsonArray("jobs").stream().map(JsonObject.class::cast)
            .filter(job -> job.getString("startedAt") != null)
            .forEach(job -> late.recordValue(Math.max(0, Duration.between(Instant.parse(job.getString("tick")),
                Instant.parse(job.getString("startedAt"))).toMillis())));
      }
      if (late.getTotalCount() < (long) SCHEDULES * (seconds - 2)) {
        throw new IllegalStateException("schedules: " + late.getTotalCount() + " jobs started, expected about "
            + SCHEDULES * seconds);
      }
      out.printf(Locale.ROOT, "schedules: %d jobs, tick to start p50 %d ms, p99 %d ms, max %d ms%n", late.getTotalCount(),
          late.getValueAtPercentile(50), late.getValueAtPercentile(99), late.getMaxValue());
      String shape = String.format(Locale.ROOT, "schedule tick to job started (%d every second), ", SCHEDULES);
      return List.of(BenchResult.of(shape + "p50", "ms", List.of((double) late.getValueAtPercentile(50))),
          BenchResult.of(shape + "p99", "ms", List.of((double) late.getValueAtPercentile(99))),
          BenchResult.of(shape + "max", "ms", List.of((double) late.getMaxValue())));
    } finally {
      vertx.close().await();
      node.stop();
    }
  }
}
