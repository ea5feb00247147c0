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
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The REST API of a real node (2 workers, printing to a discarding output) under a load generator in this JVM
 * ({@link HttpLoad}) over loopback: single submissions with and without Idempotency-Key, batches of 1000, reads of a
 * record, and submit-then-wait round trips. Each closed-loop row is the median of its rounds; its latency rows come
 * from all rounds together. After the submissions the node must print every accepted job, or the bench fails.
 */
final class RestBench {
  static final int CONNECTIONS = 32;
  static final int BATCH_CONNECTIONS = 4;
  static final int BATCH_JOBS = 1000;
  /** The submit-then-wait row's offered load. */
  static final int WAIT_RATE = 1000;
  /** Connections of the submit-then-wait row: more than its round trips in flight, so none queues in the client. */
  static final int WAIT_CONNECTIONS = 256;
  /** Bounds of every loop, whatever the time says. */
  private static final long MAX_REQUESTS = 5_000_000;
  private static final Buffer PRINT = Buffer.buffer(
      "{\"type\":\"print\",\"payload\":{\"message\":\"hello, world!\"},\"client\":\"bench\"}");

  private final Supplier<NodeSettings> settings;
  private final Printer discard;
  private final PrintStream out;

  /** @param settings a fresh node's settings (cluster and keys of its own) each time it is called */
  RestBench(Supplier<NodeSettings> settings, Printer discard, PrintStream out) {
    this.settings = settings;
    this.discard = discard;
    this.out = out;
  }

  List<BenchResult> run(double seconds, int rounds) {
    NodeSettings config = settings.get();
    String token = config.http().token();
    Node node = Node.start(config, JobHandlers.standard(discard, config.limits()));
    Vertx vertx = Vertx.vertx();
    List<BenchResult> results = new ArrayList<>();
    try (HttpLoad load = new HttpLoad(vertx, node.httpPort(), token, CONNECTIONS)) {
      long printedBefore = node.counters().printed.sum();
      HttpLoad.Outcome warmUp = load.closedLoop(CONNECTIONS, Math.min(seconds, 3), MAX_REQUESTS, n -> post(null));
      long accepted = warmUp.jobs();

      Measured single = measure(load, "POST /api/jobs", CONNECTIONS, seconds, rounds, n -> post(null));
      Measured keyed = measure(load, "POST /api/jobs with Idempotency-Key", CONNECTIONS, seconds, rounds,
          n -> post("bench-" + UUID.randomUUID()));
      Buffer batch = batchBody();
      Measured batches = measure(load, "POST /api/jobs/batch of " + BATCH_JOBS, BATCH_CONNECTIONS, seconds, rounds,
          n -> batchPost(batch));
      accepted += single.jobs + keyed.jobs + batches.jobs;
      awaitPrinted(node, printedBefore, accepted, "the submitted print jobs");

      List<String> ids = someIds(load, 1000);
      Measured reads = measure(load, "GET /api/jobs/{id}", CONNECTIONS, seconds, rounds,
          n -> new HttpLoad.Call(HttpMethod.GET, "/api/jobs/" + ids.get((int) (n % ids.size())), null, null, 200, 0));
      int records = seconds >= 10 ? JobPagingBench.RECORDS : JobPagingBench.RECORDS / 10;
      long printedBeforePaging = node.counters().printed.sum();
      List<BenchResult> paging = new JobPagingBench(load, out, records)
          .run(batch, () -> awaitPrinted(node, printedBeforePaging, records, "the paging bench's print jobs"));
      List<Histogram> waits = new ArrayList<>();
      // An open loop: each round trip holds a connection while its job runs, so the pool must outnumber them.
      try (HttpLoad waitLoad = new HttpLoad(vertx, node.httpPort(), token, WAIT_CONNECTIONS)) {
        // Warmed up first, as the closed-loop rows are: the JIT compiles the sum, wait and event paths meanwhile, and
        // a cold node behind a 1,000-a-second open loop spends the whole round catching up (p50 of seconds); then
        // rounds, as the other rows, since the machine's noise moves a single round's tail.
        submitThenWait(waitLoad, seconds, "warm-up, not counted: ");
        for (int r = 1; r <= rounds; r++) {
          waits.add(submitThenWait(waitLoad, seconds, "round " + r + ": "));
        }
      }

      results.addAll(single.rows("jobs/s"));
      results.addAll(keyed.rows("jobs/s"));
      results.addAll(batches.rows("jobs/s"));
      results.addAll(reads.rows("reads/s"));
      results.addAll(paging);
      String shape = String.format(Locale.ROOT, "REST submit sum + ?wait at %,d/s, ", WAIT_RATE);
      results.add(BenchResult.of(shape + "p50", "ms", waits.stream().map(h -> h.getValueAtPercentile(50) / 1000.0).toList()));
      results.add(BenchResult.of(shape + "p99", "ms", waits.stream().map(h -> h.getValueAtPercentile(99) / 1000.0).toList()));
      results.add(BenchResult.of(shape + "max", "ms", waits.stream().map(h -> h.getMaxValue() / 1000.0).toList()));
    } finally {
      vertx.close().await();
      node.stop();
    }
    return results;
  }

  /**
   * The batch row alone, on a node of these settings (a Redis Cluster, say), named with {@code shape} added: its
   * rate and latency rows, once every job it took is printed.
   */
  List<BenchResult> batches(double seconds, int rounds, String shape) {
    NodeSettings config = settings.get();
    Node node = Node.start(config, JobHandlers.standard(discard, config.limits()));
    Vertx vertx = Vertx.vertx();
    try (HttpLoad load = new HttpLoad(vertx, node.httpPort(), config.http().token(), BATCH_CONNECTIONS)) {
      long printedBefore = node.counters().printed.sum();
      Buffer batch = batchBody();
      LongFunction<HttpLoad.Call> next = n -> batchPost(batch);
      HttpLoad.Outcome warmUp = load.closedLoop(BATCH_CONNECTIONS, Math.min(seconds, 3), MAX_REQUESTS, next);
      Measured batches = measure(load, "POST /api/jobs/batch of " + BATCH_JOBS + shape, BATCH_CONNECTIONS, seconds, rounds, next);
      awaitPrinted(node, printedBefore, warmUp.jobs() + batches.jobs, "the submitted print jobs");
      return batches.rows("jobs/s");
    } finally {
      vertx.close().await();
      node.stop();
    }
  }

  /** One closed-loop measurement over rounds: the median rate, and the latency of all rounds together. */
  private Measured measure(HttpLoad load, String what, int connections, double seconds, int rounds, LongFunction<HttpLoad.Call> next) {
    List<Double> rates = new ArrayList<>();
    Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    long jobs = 0;
    for (int r = 0; r < rounds; r++) {
      HttpLoad.Outcome outcome = load.closedLoop(connections, seconds, MAX_REQUESTS, next);
      if (outcome.errors() > 0) {
        throw new IllegalStateException(what + ": " + outcome.errors() + " unexpected answers; the first: " + outcome.firstError());
      }
      rates.add(outcome.jobs() > 0 ? outcome.jobsPerSecond() : outcome.requestsPerSecond());
      micros.add(outcome.micros());
      jobs += outcome.jobs();
      out.printf(Locale.ROOT, "REST %s, %d connections: round %d: %,.0f requests/s (%,.0f jobs/s), p99 %.1f ms%n", what,
          connections, r + 1, outcome.requestsPerSecond(), outcome.jobsPerSecond(), outcome.micros().getValueAtPercentile(99) / 1000.0);
    }
    return new Measured("REST " + what + ", " + connections + " conn.", rates, micros, jobs);
  }

  private record Measured(String name, List<Double> rates, Histogram micros, long jobs) {
    List<BenchResult> rows(String unit) {
      return List.of(BenchResult.of(name, unit, rates),
          BenchResult.of(name + ", p50", "ms", List.of(micros.getValueAtPercentile(50) / 1000.0)),
          BenchResult.of(name + ", p99", "ms", List.of(micros.getValueAtPercentile(99) / 1000.0)),
          BenchResult.of(name + ", max", "ms", List.of(micros.getMaxValue() / 1000.0)));
    }
  }

  /**
   * {@link #WAIT_RATE} sum jobs a second, each submitted then awaited with {@code ?wait=5}: the time from sending the
   * submission to the answer that says completed. Bounded in count and time. A wait that ends before its job did (the
   * node fell behind) counts as late, at its time; a round trip still unanswered at the bound counts at the bound, and
   * the line says how many there were (the rows then show the node could not keep up, instead of the bench stopping);
   * any other answer (an error, a failed job) fails the bench.
   */
  private Histogram submitThenWait(HttpLoad load, double seconds, String label) {
    Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    // Set, under the histogram's lock, when the round trips still unanswered are given up on at the bound.
    boolean[] over = {false};
    long total = (long) (seconds * WAIT_RATE);
    AtomicLong answered = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicLong late = new AtomicLong();
    long boundMillis = (long) (seconds * 1000) + 30_000;
    long unanswered = 0;
    List<String> firstFailure = new ArrayList<>(1);
    Promise<Void> done = Promise.promise();
    Vertx vertx = Vertx.vertx();
    try {
      long start = System.nanoTime();
      AtomicLong sent = new AtomicLong();
      vertx.setPeriodic(10, timer -> {
        // Catch up with the clock: as many as are due by now, so the offered rate holds whatever the timer's jitter.
        long due = Math.min(total, (System.nanoTime() - start) * WAIT_RATE / 1_000_000_000L);
        while (sent.get() < due) {
          long n = sent.getAndIncrement();
          long began = System.nanoTime();
          Buffer body = Buffer.buffer("{\"type\":\"sum\",\"payload\":{\"numbers\":[" + n + ",1]},\"client\":\"bench-wait\"}");
          load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/jobs", body, null, 202, 1))
              .compose(reply -> load.fetch(new HttpLoad.Call(HttpMethod.GET,
                  "/api/jobs/" + reply.toJsonObject().getString("id") + "?wait=5", null, null, 200, 0)))
              .onComplete(ar -> {
                long answers;
                synchronized (micros) {
                  if (over[0]) {
                    return; // counted at the bound already
                  }
                  micros.recordValue(Math.min(micros.getHighestTrackableValue(), (System.nanoTime() - began) / 1_000));
                  answers = answered.incrementAndGet();
                }
                String status = ar.succeeded() ? ar.result().toJsonObject().getString("status") : null;
                if ("queued".equals(status) || "running".equals(status)) {
                  late.incrementAndGet();
                } else if (!"completed".equals(status)) {
                  failures.incrementAndGet();
                  synchronized (firstFailure) {
                    if (firstFailure.isEmpty()) {
                      firstFailure.add(ar.succeeded() ? "status " + status : ar.cause().toString());
                    }
                  }
                }
                if (answers == total) {
                  done.tryComplete();
                }
              });
        }
        if (sent.get() >= total) {
          vertx.cancelTimer(timer);
        }
      });
      try {
        HttpLoad.awaitBounded(done.future(), boundMillis);
      } catch (IllegalStateException e) {
        // Counted at the bound: they took at least that long.
        synchronized (micros) {
          over[0] = true;
          unanswered = total - answered.get();
          micros.recordValueWithCount(Math.min(micros.getHighestTrackableValue(), boundMillis * 1000), unanswered);
        }
      }
    } finally {
      vertx.close().await();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException("submit then wait: " + failures.get() + " of " + total + " did not end completed; the first: "
          + firstFailure.get(0));
    }
    out.printf(Locale.ROOT, "REST submit sum + ?wait at %,d/s: %s%,d round trips, p50 %.1f ms, p99 %.1f ms, max %.1f ms%s%n",
        WAIT_RATE, label, total, micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(99) / 1000.0,
        micros.getMaxValue() / 1000.0, late.get() + unanswered == 0 ? "" : String.format(Locale.ROOT,
            "; NOT kept up: %,d waits ended before their job, %,d unanswered after %d s", late.get(), unanswered, boundMillis / 1000));
    return micros;
  }

  /** A print job, as the REST rows post it. */
  static HttpLoad.Call printPost() {
    return post(null);
  }

  private static HttpLoad.Call post(String idempotencyKey) {
    return new HttpLoad.Call(HttpMethod.POST, "/api/jobs", PRINT, idempotencyKey, 202, 1);
  }

  /** A batch of {@link #BATCH_JOBS} posted, as the batch rows post it. */
  private static HttpLoad.Call batchPost(Buffer batch) {
    return new HttpLoad.Call(HttpMethod.POST, "/api/jobs/batch", batch, null, 202, BATCH_JOBS);
  }

  private static Buffer batchBody() {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < BATCH_JOBS; i++) {
      jobs.add(new JsonObject().put("type", "print").put("payload", new JsonObject().put("message", "hello, world!"))
          .put("client", "bench-batch"));
    }
    return jobs.toBuffer();
  }

  /** Ids of jobs that exist, for the read row. */
  private static List<String> someIds(HttpLoad load, int count) {
    Buffer batch = batchBody();
    JsonArray ids = HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/jobs/batch", batch, null, 202, count)),
        30_000).toJsonObject().getJsonArray("ids");
    List<String> list = new ArrayList<>(ids.size());
    ids.forEach(id -> list.add((String) id));
    return list.subList(0, Math.min(count, list.size()));
  }

  /** Every accepted print job is printed, or the bench says how many were not. */
  private void awaitPrinted(Node node, long printedBefore, long accepted, String what) {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (node.counters().printed.sum() - printedBefore < accepted && System.nanoTime() < deadline) {
      Future.<Void>future(p -> node.vertx().setTimer(20, t -> p.complete())).await();
    }
    long printed = node.counters().printed.sum() - printedBefore;
    if (printed < accepted) {
      throw new IllegalStateException(what + ": " + accepted + " accepted, only " + printed + " printed within 2 minutes");
    }
    out.printf(Locale.ROOT, "REST: all %,d accepted print jobs printed%n", accepted);
  }
}
