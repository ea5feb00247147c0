package hwaas.bench;

import hwaas.client.ClientGroup;
import hwaas.config.HwaasConfig;
import hwaas.node.EmbeddedRedis;
import hwaas.node.NodeOutages;
import hwaas.queue.Job;
import hwaas.queue.JobBatch;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueVerticle;
import hwaas.queue.StreamEntry;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import hwaas.stats.NodeCounters;
import hwaas.worker.AuditTrail;
import hwaas.worker.JobHandlers;
import hwaas.worker.Printer;
import hwaas.worker.WorkerVerticle;
import io.vertx.core.DeploymentOptions;
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
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The measurements that run inside this JVM against a real embedded Redis: the raw stream cycle, draining,
 * sustained end-to-end throughput and latency. The verticles are the node's own; only the cluster is left
 * out (clients reach their node's queue without a cluster hop in a node too), and printed lines are discarded.
 */
final class InProcessBench implements AutoCloseable {
  private static final int BATCH = 100;
  // KEYS[1]: stream, ARGV[1]: entry value, ARGV[2]: entries. One job per entry, as a stream queue without coalescing
  // has. Trimming the stream is cheaper for Redis than XDEL of each id (measured: about 1.5 times the cycles), so the
  // ceiling is the higher figure of the two.
  private static final String CYCLE = String.join("\n",
      "for i = 1, tonumber(ARGV[2]) do redis.call('XADD', KEYS[1], '*', 'job', ARGV[1]) end",
      "local read = redis.call('XREADGROUP', 'GROUP', 'workers', 'bench', 'COUNT', ARGV[2], 'STREAMS', KEYS[1], '>')",
      "local ids = {}",
      "for _, e in ipairs(read[1][2]) do ids[#ids + 1] = e[1] end",
      "redis.call('XACK', KEYS[1], 'workers', unpack(ids))",
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
  private final HwaasConfig base;
  private final Printer discard = new Printer(OutputStream.nullOutputStream(), () -> { });
  private int run;

  /** Ctrl-C during a long bench must not leave its Redis running. */
  private final Thread stopRedisOnExit;

  private InProcessBench(EmbeddedRedis redisServer, PrintStream out) {
    this.redisServer = redisServer;
    this.stopRedisOnExit = new Thread(redisServer::close, "hwaas-bench-redis-stop");
    Runtime.getRuntime().addShutdownHook(stopRedisOnExit);
    this.out = out;
    this.base = HwaasConfig.defaults(0, 0).withRedisUrl(redisServer.url());
    this.redis = Redis.createClient(vertx, base.redisOptions());
  }

  static InProcessBench start(Path scratch, PrintStream out) {
    return new InProcessBench(EmbeddedRedis.start(scratch.resolve("redis"), "everysec"), out);
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
          trip.add(Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg(stream).arg(ONE_JOB).arg(BATCH));
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
   * job per entry; W workers from their first read to the last acknowledgement.
   */
  BenchResult drain(int jobs, int workers, int rounds, boolean oneJobPerEntry) {
    List<Double> rates = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      HwaasConfig config = fresh(workers, 0, 1);
      if (oneJobPerEntry) {
        config = config.toBuilder().batchSize(256).build(); // many small entries: read more at once
      }
      StreamKeys keys = new StreamKeys(config.keyPrefix());
      if (oneJobPerEntry) {
        prefillOnePerEntry(keys, jobs);
      } else {
        prefillThroughQueue(config, jobs);
      }
      NodeCounters counters = new NodeCounters();
      long start = System.nanoTime();
      String deployment = deployWorkers(config, counters);
      while (length(keys) > 0) {
        vertx.timer(20).await();
      }
      rates.add(jobs / seconds(start));
      vertx.undeploy(deployment).await();
      progress("drain with " + workers + " worker(s)" + (oneJobPerEntry ? ", one job per entry" : ""), rates);
    }
    return BenchResult.of("drain " + jobs + " jobs, " + workers + " worker(s)" + (oneJobPerEntry ? ", 1 job/entry" : ""),
        "jobs/s", rates);
  }

  /** Clients submitting through the event bus as fast as they may, two workers printing: acknowledged jobs/s. */
  BenchResult sustained(int seconds, int rounds) {
    List<Double> rates = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      HwaasConfig config = fresh(2, 20, 1_000_000);
      NodeCounters counters = new NodeCounters();
      String queue = vertx.deployVerticle(new QueueVerticle(config, JobHandlers.standard(discard, config).names())).await();
      String workers = deployWorkers(config, counters);
      String clients = deployClients(config, counters);
      vertx.timer(3_000).await(); // warm-up
      long printedBefore = counters.printed.sum();
      long start = System.nanoTime();
      vertx.timer(seconds * 1000L).await();
      rates.add((counters.printed.sum() - printedBefore) / seconds(start));
      vertx.undeploy(clients).await();
      vertx.undeploy(workers).await();
      vertx.undeploy(queue).await();
      progress("sustained", rates);
    }
    return BenchResult.of("sustained, 20 clients flat out, 2 workers", "jobs/s", rates);
  }

  /** The users' shape: 10 workers, 1000 clients at one job a second each; print time minus send time. */
  List<BenchResult> latency(int seconds) {
    HwaasConfig config = fresh(10, 1000, 1);
    NodeCounters counters = new NodeCounters();
    String queue = vertx.deployVerticle(new QueueVerticle(config, JobHandlers.standard(discard, config).names())).await();
    String workers = deployWorkers(config, counters);
    String clients = deployClients(config, counters);
    vertx.timer(5_000).await(); // warm-up, then measure
    counters.latencyMillis.getIntervalHistogram();
    vertx.timer(seconds * 1000L).await();
    Histogram h = counters.latencyMillis.getIntervalHistogram();
    vertx.undeploy(clients).await();
    vertx.undeploy(workers).await();
    vertx.undeploy(queue).await();
    String shape = "latency at 10 workers, 1000 clients x 1/s, ";
    out.printf("latency: %d jobs over %d s%n", h.getTotalCount(), seconds);
    return List.of(
        BenchResult.of(shape + "p50", "ms", List.of((double) h.getValueAtPercentile(50))),
        BenchResult.of(shape + "p99", "ms", List.of((double) h.getValueAtPercentile(99))),
        BenchResult.of(shape + "p99.9", "ms", List.of((double) h.getValueAtPercentile(99.9))),
        BenchResult.of(shape + "max", "ms", List.of((double) h.getMaxValue())),
        BenchResult.of("printed at that shape", "jobs/s", List.of(h.getTotalCount() / (double) seconds)));
  }

  private HwaasConfig fresh(int workers, int clients, double rate) {
    return base.toBuilder().workers(workers).clients(clients).rate(rate).keyPrefix("bench" + (run++)).build();
  }

  private String deployWorkers(HwaasConfig config, NodeCounters counters) {
    JobHandlers handlers = JobHandlers.standard(discard, config);
    NodeOutages outages = NodeOutages.create();
    AtomicInteger n = new AtomicInteger();
    return vertx.deployVerticle(() -> new WorkerVerticle(config, "bench-w" + n.getAndIncrement(), handlers, counters,
        AuditTrail.NONE, outages), new DeploymentOptions().setInstances(config.workers())).await();
  }

  private String deployClients(HwaasConfig config, NodeCounters counters) {
    return ClientGroup.deploy(vertx, config, config.keyPrefix(), counters, AuditTrail.NONE, NodeOutages.create()).await();
  }

  /** Through the node's own queue verticle, 1000 jobs a submission: entries as the queue writes them when busy. */
  private void prefillThroughQueue(HwaasConfig config, int jobs) {
    String queue = vertx.deployVerticle(new QueueVerticle(config, Set.of(Job.PRINT))).await();
    long now = System.currentTimeMillis();
    JsonObject payload = new JsonObject().put("message", "hello, world!");
    List<Future<?>> sent = new ArrayList<>();
    for (int done = 0; done < jobs; done += JobBatch.MAX_JOBS) {
      List<String> ids = new ArrayList<>(JobBatch.MAX_JOBS);
      for (int i = done; i < Math.min(jobs, done + JobBatch.MAX_JOBS); i++) {
        ids.add(Job.id("bench-client", i));
      }
      JobBatch batch = new JobBatch("bench-prefill:" + done, Job.PRINT, now, payload, false, ids);
      sent.add(vertx.eventBus().request(QueueAddresses.SUBMIT, batch.toJson().encode(), new DeliveryOptions().setSendTimeout(60_000)));
      if (sent.size() == 50) {
        Future.all(sent).await();
        sent.clear();
      }
    }
    Future.all(sent).await();
    vertx.undeploy(queue).await();
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

  private long length(StreamKeys keys) {
    return redis.send(Request.cmd(Command.XLEN).arg(keys.stream(Job.PRINT))).await().toLong();
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
