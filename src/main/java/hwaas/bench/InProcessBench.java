package hwaas.bench;

import hwaas.client.ClientSettings;
import hwaas.jobs.Job;
import hwaas.jobs.JobBatch;
import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.queue.QueueAddresses;
import hwaas.queue.StreamEntry;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import hwaas.redis.EmbeddedRedis;
import hwaas.redis.RedisSettings;
import hwaas.support.Printer;
import hwaas.worker.WorkerSettings;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.HdrHistogram.Histogram;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The measurements that run inside this JVM against a real embedded Redis: the raw stream cycle, draining,
 * sustained end-to-end throughput and latency. Every measurement of HWaaS code starts a whole {@link Node}, the
 * same wiring {@code ./hwaas} runs (clustered Vert.x, queue, workers, clients, stats, HTTP), in a cluster of its own
 * and with its own keys; only its printed lines go to a discarding output.
 */
final class InProcessBench implements AutoCloseable {
  private static final int BATCH = 100;
  /**
   * The scratch Redis's memory limit, above a node's default: the REST rows keep the record of every job they submit
   * (for the reads that follow, until --record-ttl), about 1.3 million records on this 2-core machine, near 1 GiB.
   */
  private static final String MAX_MEMORY = "4gb";
  // KEYS[1]: stream, ARGV[1]: entry value, ARGV[2]: entries, ARGV[3]: the workers' group. One job per entry, as a stream queue without coalescing
  // has. Trimming the stream is cheaper for Redis than XDEL of each id (measured: about 1.5 times the cycles), so the
  // ceiling is the higher figure of the two.
  private static final String CYCLE = String.join("\n",
      "for i = 1, tonumber(ARGV[2]) do redis.call('XADD', KEYS[1], '*', 'job', ARGV[1]) end",
      "local read = redis.call('XREADGROUP', 'GROUP', ARGV[3], 'bench', 'COUNT', ARGV[2], 'STREAMS', KEYS[1], '>')",
      "local ids = {}",
      "for _, e in ipairs(read[1][2]) do ids[#ids + 1] = e[1] end",
      "redis.call('XACK', KEYS[1], ARGV[3], unpack(ids))",
      "redis.call('XTRIM', KEYS[1], 'MAXLEN', 0)",
      "return #ids");
  /** Cycles sent together: enough to keep Redis busy while a reply travels. */
  private static final int CYCLES_PER_TRIP = 10;
  /** What the raw cycles put in each entry: one job, as the queue wrote it before batches. */
  private static final String ONE_JOB = Job.print("bench-client", 0, 0, "hello, world!").toJson().encode();

  private final EmbeddedRedis redisServer;
  private final Vertx vertx = Vertx.vertx();
  private final Redis redis;
  private final PrintStream out;
  private final NodeSettings base;
  private final Printer discard = new Printer(OutputStream.nullOutputStream(), () -> { });
  private int run;

  /** Ctrl-C during a long bench must not leave its Redis running. */
  private final Thread stopRedisOnExit;

  private InProcessBench(EmbeddedRedis redisServer, PrintStream out) {
    this.redisServer = redisServer;
    this.stopRedisOnExit = new Thread(redisServer::close, "hwaas-bench-redis-stop");
    Runtime.getRuntime().addShutdownHook(stopRedisOnExit);
    this.out = out;
    this.base = NodeSettings.defaults(0, 0).withRedis(RedisSettings.defaults().withUrl(redisServer.url()));
    this.redis = Redis.createClient(vertx, base.redis().options());
  }

  /** @param redisServer a redis-server of the machine's for the scratch Redis ({@code --redis-server}), or {@code null} */
  static InProcessBench start(Path scratch, PrintStream out, Path redisServer) {
    out.println("Redis: " + (redisServer == null ? "the jar's redis-server" : redisServer + " (--redis-server)"));
    return new InProcessBench(EmbeddedRedis.start(scratch.resolve("redis"), "everysec", MAX_MEMORY, redisServer), out);
  }

  /**
   * The ceiling: XADD 100 entries, XREADGROUP COUNT 100, XACK them and trim the stream, inside Redis (one script
   * call per cycle, ten calls per round trip), so the figure is Redis's own limit, not a client's. No HWaaS code.
   * Without persistence it is the ceiling; with the append-only file (fsync every second) it is what Redis can do
   * as the nodes and the other measurements run it.
   */
  BenchResult ceiling(int jobs, int rounds, boolean persistent) {
    String sha = redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(CYCLE)).await().toString();
    if (!persistent) {
      appendOnly("no");
    }
    List<Double> rates = new ArrayList<>();
    try {
      for (int r = 0; r < rounds; r++) {
        String stream = "bench:ceiling:" + (run++);
        StreamGroup.ensure(redis, stream).await();
        List<Request> trip = new ArrayList<>(CYCLES_PER_TRIP);
        for (int i = 0; i < CYCLES_PER_TRIP; i++) {
          trip.add(Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg(stream).arg(ONE_JOB).arg(BATCH).arg(StreamKeys.GROUP));
        }
        long start = System.nanoTime();
        long done = 0;
        while (done < jobs) {
          for (Response cycled : redis.batch(trip).await()) {
            done += cycled.toLong();
          }
        }
        rates.add(done / seconds(start));
        redis.send(Request.cmd(Command.DEL).arg(stream)).await();
        progress(persistent ? "ceiling, in Redis, append-only file" : "ceiling, in Redis, no persistence", rates);
      }
    } finally {
      if (!persistent) {
        appendOnly("yes");
      }
    }
    return BenchResult.of(persistent ? "raw stream cycle inside Redis, append-only file" : "raw stream cycle inside Redis (the ceiling)",
        "jobs/s", rates);
  }

  /**
   * What an API job costs Redis at the least: the fewest plain commands for its own record, index entries and status
   * changes, against one record per batch ({@link RedisFloorBench}), up to 100,000 jobs a round. No HWaaS code.
   */
  List<BenchResult> floor(int jobs, int rounds) {
    return new RedisFloorBench(redis, out).rows(Math.min(jobs, 100_000), rounds);
  }

  /** Nodes run Redis with an append-only file; the ceiling is measured without it too, the higher figure. */
  private void appendOnly(String yesOrNo) {
    redis.send(Request.cmd(Command.CONFIG).arg("SET").arg("appendonly").arg(yesOrNo)).await();
  }

  /** The same cycle driven from this JVM, pipelined: XADD 100, XREADGROUP COUNT 100, then XACK and XDEL them. */
  BenchResult clientCycle(int jobs, int rounds) {
    List<Double> rates = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      String stream = "bench:cycle:" + (run++);
      StreamGroup.ensure(redis, stream).await();
      long start = System.nanoTime();
      for (int done = 0; done < jobs; done += BATCH) {
        List<Request> cycle = new ArrayList<>(BATCH + 1);
        for (int i = 0; i < BATCH; i++) {
          cycle.add(Request.cmd(Command.XADD).arg(stream).arg("*").arg(StreamEntry.JOB).arg(ONE_JOB));
        }
        cycle.add(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(StreamKeys.GROUP).arg("bench").arg("COUNT").arg(BATCH)
            .arg("STREAMS").arg(stream).arg(">"));
        List<Response> replies = redis.batch(cycle).await();
        Request xack = Request.cmd(Command.XACK).arg(stream).arg(StreamKeys.GROUP);
        Request xdel = Request.cmd(Command.XDEL).arg(stream);
        for (Response e : replies.get(BATCH).get(0).get(1)) {
          xack.arg(e.get(0).toString());
          xdel.arg(e.get(0).toString());
        }
        redis.batch(List.of(xack, xdel)).await();
      }
      rates.add(jobs / seconds(start));
      redis.send(Request.cmd(Command.DEL).arg(stream)).await();
      progress("cycle from one client", rates);
    }
    return BenchResult.of("raw stream cycle, pipelined from one client", "jobs/s", rates);
  }

  /**
   * N print jobs already in the stream, as the queue writes them under load (up to 1000 jobs an entry), or one
   * job per entry, drained by a node with W workers. The node starts with the print queue paused, so that its
   * start-up is not part of the figure; the clock starts when the queue is resumed (as
   * {@code POST /api/queues/print/resume} does: workers read at once) and stops at the last acknowledgement, read
   * every 2 ms from the node's counters.
   */
  BenchResult drain(int jobs, int workers, int rounds, boolean oneJobPerEntry) {
    List<Double> rates = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      NodeSettings settings = fresh(workers, 0, 1);
      StreamKeys keys = settings.queue().keys();
      if (oneJobPerEntry) {
        settings = settings.withWorkers(settings.workers().withBatchSize(256)); // many small entries: read more at once
        prefillOnePerEntry(keys, jobs);
      } else {
        prefillThroughQueue(fresh(0, 0, 1).withQueue(settings.queue()), jobs);
      }
      redis.send(Request.cmd(Command.SADD).arg(keys.paused()).arg(Job.PRINT)).await();
      Node node = Node.start(settings, JobHandlers.standard(discard, settings.limits()));
      try {
        redis.send(Request.cmd(Command.SREM).arg(keys.paused()).arg(Job.PRINT)).await();
        LongAdder printed = node.counters().printed;
        long start = System.nanoTime();
        node.vertx().eventBus().publish(QueueAddresses.PAUSED, new JsonObject().put("type", Job.PRINT).put("paused", false));
        long deadline = start + 600_000_000_000L;
        while (printed.sum() < jobs && System.nanoTime() < deadline) {
          sleepMillis(2);
        }
        if (printed.sum() < jobs) {
          throw new IllegalStateException("drain did not finish within 10 minutes: " + printed.sum() + " of " + jobs);
        }
        rates.add(jobs / seconds(start));
      } finally {
        node.stop();
      }
      progress("drain with " + workers + " worker(s)" + (oneJobPerEntry ? ", one job per entry" : ""), rates);
    }
    return BenchResult.of("drain " + jobs + " jobs, " + workers + " worker(s)" + (oneJobPerEntry ? ", 1 job/entry" : ""),
        "jobs/s", rates);
  }

  /** A node's clients submitting through the event bus as fast as they may, two workers printing: acknowledged jobs/s. */
  BenchResult sustained(int seconds, int rounds) {
    return sustained(seconds, rounds, s -> s, "");
  }

  /** The same, on a node's settings changed by {@code on} (another Redis, say), the row named with {@code shape} added. */
  BenchResult sustained(int seconds, int rounds, java.util.function.UnaryOperator<NodeSettings> on, String shape) {
    List<Double> rates = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      NodeSettings settings = on.apply(fresh(2, 20, 1_000_000));
      Node node = Node.start(settings, JobHandlers.standard(discard, settings.limits()));
      try {
        sleepMillis(3_000); // warm-up
        long printedBefore = node.counters().printed.sum();
        long start = System.nanoTime();
        sleepMillis(seconds * 1000L);
        rates.add((node.counters().printed.sum() - printedBefore) / seconds(start));
      } finally {
        node.stop();
      }
      progress("sustained" + shape, rates);
    }
    return BenchResult.of("sustained, 20 clients flat out, 2 workers" + shape, "jobs/s", rates);
  }

  /** The users' shape: a node of 10 workers, 1000 clients at one job a second each; print time minus send time. */
  List<BenchResult> latency(int seconds) {
    NodeSettings settings = fresh(10, 1000, 1);
    Node node = Node.start(settings, JobHandlers.standard(discard, settings.limits()));
    Histogram h;
    try {
      sleepMillis(5_000); // warm-up, then measure
      Histogram before = node.counters().latency.total();
      sleepMillis(seconds * 1000L);
      h = node.counters().latency.total();
      h.subtract(before);
    } finally {
      node.stop();
    }
    String shape = "latency at 10 workers, 1000 clients x 1/s, ";
    out.printf("latency: %d jobs over %d s%n", h.getTotalCount(), seconds);
    return List.of(
        BenchResult.of(shape + "p50", "ms", List.of((double) h.getValueAtPercentile(50))),
        BenchResult.of(shape + "p99", "ms", List.of((double) h.getValueAtPercentile(99))),
        BenchResult.of(shape + "p99.9", "ms", List.of((double) h.getValueAtPercentile(99.9))),
        BenchResult.of(shape + "max", "ms", List.of((double) h.getMaxValue())),
        BenchResult.of("printed at that shape", "jobs/s", List.of(h.getTotalCount() / (double) seconds)));
  }

  /** The REST rows: a node of 2 workers under {@link RestBench}'s load generator. */
  List<BenchResult> rest(int seconds, int rounds) {
    return onEmptyRedis(() -> new RestBench(() -> fresh(2, 0, 1), discard, out).run(seconds, rounds));
  }

  /** {@link RestBench}'s batch row on a node's settings changed by {@code on} (another Redis), named with {@code shape}. */
  List<BenchResult> restBatches(int seconds, int rounds, java.util.function.UnaryOperator<NodeSettings> on, String shape) {
    return new RestBench(() -> on.apply(fresh(2, 0, 1)), discard, out).batches(seconds, rounds, shape);
  }

  /**
   * A row of API jobs starts on an empty scratch Redis and leaves it empty: every row's keys are its own and no later
   * row reads them, while its records (kept for the record TTL), indexes and streams would pile up (three rounds of
   * every REST row filled the 1 GB limit, and a later row's writes were refused), and a row's figures would depend on
   * what the rows before it left.
   */
  private List<BenchResult> onEmptyRedis(java.util.function.Supplier<List<BenchResult>> row) {
    redis.send(Request.cmd(Command.FLUSHALL).arg("ASYNC")).await();
    try {
      return row.get();
    } finally {
      redis.send(Request.cmd(Command.FLUSHALL).arg("ASYNC")).await();
    }
  }

  /** External workers over HTTP: {@link ExternalBench}. */
  List<BenchResult> external(int rounds, int jobs) {
    return onEmptyRedis(() -> new ExternalBench(fresh(0, 0, 1), discard, out, jobs).run(rounds));
  }

  /** One of the two external-worker rows. */
  List<BenchResult> external(int rounds, boolean batched) {
    return onEmptyRedis(() -> new ExternalBench(fresh(0, 0, 1), discard, out, ExternalBench.JOBS).run(rounds, batched));
  }

  /** Cancel across two nodes: {@link CancelBench}, {@code samples} running jobs one after another. */
  List<BenchResult> cancel(int samples) throws java.io.IOException, InterruptedException {
    return new CancelBench(redis, discard, out).run(fresh(1, 0, 1), samples);
  }

  /** The dead letters' bulk rows: requeue and delete of many dead letters ({@link DeadBulkBench}). */
  List<BenchResult> deadBulk(int jobs) {
    return onEmptyRedis(() -> new DeadBulkBench(() -> fresh(2, 0, 1), discard, redis, out).run(jobs));
  }

  /** The delayed-jobs rows: memory of 100,000 pending, and the mover's rate ({@link DelayedBench}). */
  List<BenchResult> delayed(int jobs) {
    return onEmptyRedis(() -> new DelayedBench(() -> fresh(2, 0, 1), discard, redis, out).run(jobs));
  }

  /** The schedule rows: how late recurring jobs start after their ticks ({@link ScheduleBench}). */
  List<BenchResult> schedules(int seconds) {
    return onEmptyRedis(() -> new ScheduleBench(() -> fresh(2, 0, 1), discard, out).run(seconds));
  }

  /** A node of its own: a cluster name and keys no other round shares, any free HTTP port. */
  private NodeSettings fresh(int workers, int clients, double rate) {
    String name = "bench-" + ProcessHandle.current().pid() + "-" + (run++);
    return base.withWorkers(WorkerSettings.defaults(workers))
        .withClients(ClientSettings.defaults(clients).withRate(rate))
        .withQueue(base.queue().withKeyPrefix(name))
        .withCluster(base.cluster().withName(name))
        .withHttp(base.http().withPort(0));
  }

  /** Through a node's own queue verticle, 1000 jobs a submission: entries as the queue writes them when busy. */
  private void prefillThroughQueue(NodeSettings settings, int jobs) {
    Node node = Node.start(settings, JobHandlers.standard(discard, settings.limits()));
    try {
      long now = System.currentTimeMillis();
      JsonObject payload = new JsonObject().put("message", "hello, world!");
      List<Future<?>> sent = new ArrayList<>();
      for (int done = 0; done < jobs; done += JobBatch.MAX_JOBS) {
        List<String> ids = new ArrayList<>(JobBatch.MAX_JOBS);
        for (int i = done; i < Math.min(jobs, done + JobBatch.MAX_JOBS); i++) {
          ids.add(Job.id("bench-client", i));
        }
        JobBatch batch = new JobBatch("bench-prefill:" + done, Job.PRINT, now, payload, false, ids);
        sent.add(node.vertx().eventBus().request(QueueAddresses.SUBMIT, batch.toJson().encode(),
            new DeliveryOptions().setSendTimeout(60_000).setLocalOnly(true)));
        if (sent.size() == 50) {
          Future.all(sent).await();
          sent.clear();
        }
      }
      Future.all(sent).await();
    } finally {
      node.stop();
    }
  }

  /** One job per entry, the format the queue writes for a lone submission. */
  private void prefillOnePerEntry(StreamKeys keys, int jobs) {
    String stream = keys.stream(Job.PRINT);
    long now = System.currentTimeMillis();
    for (int done = 0; done < jobs; done += 1000) {
      List<Request> adds = new ArrayList<>(1000);
      for (int i = done; i < Math.min(jobs, done + 1000); i++) {
        Job job = Job.print("bench-client", i, now, "hello, world!");
        adds.add(Request.cmd(Command.XADD).arg(stream).arg("*").arg(StreamEntry.JOBS)
            .arg("[" + JobBatch.of(job).toJson().encode() + "]"));
      }
      redis.batch(adds).await();
    }
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void progress(String what, List<Double> rates) {
    out.printf("%s: round %d: %,.0f jobs/s%n", what, rates.size(), rates.get(rates.size() - 1));
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  @Override
  public void close() {
    discard.close();
    redis.close();
    vertx.close().await();
    redisServer.close();
    Runtime.getRuntime().removeShutdownHook(stopRedisOnExit);
  }
}
