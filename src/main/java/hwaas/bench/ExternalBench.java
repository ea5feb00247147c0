package hwaas.bench;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * External workers over HTTP ({@code /api/work}) against a real node over loopback: {@link #JOBS} jobs of a declared
 * type are queued (batches of 1000), then {@link #WORKERS} worker loops in this JVM each fetch up to {@link #MAX} jobs
 * and complete every one of them with its own request, until all are completed. The row is the median over rounds of
 * jobs completed a second, from the first fetch to the last completion; every answer must be the expected one. Two
 * rows under each say where the time went: the CPU time of Redis and of this JVM (the node and the load generator
 * both) per job, so that a rate below the target can be read as a cost per job.
 */
final class ExternalBench {
  static final int MAX = 100;
  static final int WORKERS = 8;
  static final int JOBS = 100_000;
  /** Jobs per round: {@link #JOBS}, fewer in a short bench. */
  private final int jobs;
  private static final int CONNECTIONS = 32;
  private static final long ROUND_MILLIS = 120_000;
  private static final Buffer COMPLETE = new JsonObject().put("result", new JsonObject().put("ok", true)).toBuffer();
  private static final Buffer FETCH = new JsonObject().put("max", MAX).put("wait", 0).toBuffer();

  private final NodeSettings settings;
  private final Printer discard;
  private final PrintStream out;

  ExternalBench(NodeSettings settings, Printer discard, PrintStream out, int jobs) {
    this.jobs = jobs;
    this.settings = settings;
    this.discard = discard;
    this.out = out;
  }

  /** Both rows: one request per completion, and one per fetched batch ({@code POST /api/work/complete}). */
  List<BenchResult> run(int rounds) {
    List<BenchResult> rows = new ArrayList<>(run(rounds, false));
    rows.addAll(run(rounds, true));
    return rows;
  }

  List<BenchResult> run(int rounds, boolean batched) {
    Node node = Node.start(settings, JobHandlers.standard(discard, settings.limits()));
    Vertx vertx = Vertx.vertx();
    List<Double> rates = new ArrayList<>();
    List<Double> redisMicros = new ArrayList<>();
    List<Double> jvmMicros = new ArrayList<>();
    Redis redis = Redis.createClient(vertx, settings.redis().options());
    try (HttpLoad load = new HttpLoad(vertx, node.httpPort(), settings.http().token(), CONNECTIONS)) {
      HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.PUT, "/api/types/bench-external",
          new JsonObject().put("type", "object").toBuffer(), null, 200, 0)), 10_000);
      Buffer batch = batchBody();
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < jobs / 1000; i++) {
          HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/jobs/batch", batch, null, 202, 1000)), 30_000);
        }
        double redisCpuBefore = redisCpuSeconds(redis);
        long jvmCpuBefore = jvmCpuNanos();
        long began = System.nanoTime();
        AtomicLong completed = new AtomicLong();
        List<Future<Void>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          Promise<Void> done = Promise.promise();
          work(load, completed, done, batched);
          workers.add(done.future());
        }
        HttpLoad.awaitBounded(Future.all(workers), ROUND_MILLIS);
        double seconds = (System.nanoTime() - began) / 1e9;
        if (completed.get() != jobs) {
          throw new IllegalStateException("external workers completed " + completed.get() + " of " + jobs + " jobs");
        }
        // Where the time goes: CPU of Redis (INFO cpu) and of this JVM (node and load generator) per job settled.
        redisMicros.add((redisCpuSeconds(redis) - redisCpuBefore) * 1e6 / jobs);
        jvmMicros.add((jvmCpuNanos() - jvmCpuBefore) / 1e3 / jobs);
        rates.add(jobs / seconds);
        out.printf(Locale.ROOT, "%s: round %d: %,.0f jobs/s; CPU per job: Redis %.0f µs, this JVM %.0f µs%n", name(batched),
            r + 1, jobs / seconds, redisMicros.get(r), jvmMicros.get(r));
      }
    } finally {
      redis.close();
      vertx.close().await();
      node.stop();
    }
    return List.of(BenchResult.of(name(batched), "jobs/s", rates),
        BenchResult.of("  of it, Redis CPU per job", "µs", redisMicros),
        BenchResult.of("  of it, this JVM's CPU per job (node and load generator)", "µs", jvmMicros));
  }

  /** Redis's own CPU time so far (user and system, all its threads), from INFO cpu. */
  static double redisCpuSeconds(Redis redis) {
    String info = redis.send(Request.cmd(Command.INFO).arg("cpu")).await().toString();
    double seconds = 0;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
        seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return seconds;
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String name(boolean batched) {
    return String.format(Locale.ROOT, "External workers over HTTP, fetch max=%d, %d workers, %s", MAX, WORKERS,
        batched ? "one complete per fetch" : "one complete per job");
  }

  /** One worker: fetch, complete all it got, again; done when a fetch finds nothing left. */
  private static void work(HttpLoad load, AtomicLong completed, Promise<Void> done, boolean batched) {
    load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/work/bench-external/fetch", FETCH, null, 200, 0))
        .compose(body -> {
          JsonArray jobs = body.toJsonObject().getJsonArray("jobs");
          if (jobs.isEmpty()) {
            return Future.succeededFuture(false);
          }
          List<Future<Buffer>> completions = new ArrayList<>(jobs.size());
          if (batched) {
            JsonArray settled = new JsonArray(new ArrayList<>(jobs.size()));
            jobs.forEach(job -> settled.add(new JsonObject().put("lease", ((JsonObject) job).getString("lease"))
                .put("result", new JsonObject().put("ok", true))));
            completions.add(load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/work/complete",
                new JsonObject().put("jobs", settled).toBuffer(), null, 200, jobs.size())).compose(answer ->
                answer.toJsonObject().getJsonArray("gone").isEmpty() ? Future.succeededFuture(answer)
                    : Future.failedFuture("leases gone: " + answer)));
          }
          for (Object job : batched ? List.of() : jobs) {
            String lease = ((JsonObject) job).getString("lease");
            completions.add(load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/work/" + lease + "/complete", COMPLETE, null, 200, 1)));
          }
          return Future.all(completions).map(all -> {
            completed.addAndGet(jobs.size());
            return true;
          });
        })
        .onSuccess(more -> {
          if (more) {
            work(load, completed, done, batched);
          } else {
            done.tryComplete();
          }
        })
        .onFailure(done::tryFail);
  }

  private static Buffer batchBody() {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      jobs.add(new JsonObject().put("type", "bench-external").put("payload", new JsonObject().put("n", i)).put("client", "bench-ext"));
    }
    return jobs.toBuffer();
  }
}
