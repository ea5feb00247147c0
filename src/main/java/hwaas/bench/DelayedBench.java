package hwaas.bench;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.queue.StreamKeys;
import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Delayed jobs at scale, on a real node (2 workers): the Redis memory that {@value #JOBS} pending delayed jobs take
 * (fewer in a short bench): their records and the scheduled set, submitted over REST in batches of 1000 (the
 * Idempotency-Keys that let the bench resend a batch safely are deleted before the figure is taken). Then whether the
 * node's mover keeps up with {@value #DUE_PER_SECOND} jobs falling due a second: the same jobs are given due times
 * that many a second apart, starting a little ahead (so that setting them is not counted), and the rows are the rate
 * from the first due time until the last job was moved (the mover's mark passed it), and how long after its due time
 * that was (a mover that keeps up moves at the rate they fall due, and the last one within its poll). Then as many
 * more, falling due {@value #BACKLOG_PER_SECOND} a second: the rate the mover clears a backlog at, its capacity. The
 * workers are paused meanwhile so that the figures are the mover's own. Every job must then run, or the bench fails.
 */
final class DelayedBench {
  static final int JOBS = 100_000;
  private static final int BATCH = 1000;
  private static final long MOVE_LIMIT_MILLIS = 60_000;
  private static final int RESCORE_SLICE = 5_000;
  /** The rate the jobs fall due at: the target for the mover. */
  static final int DUE_PER_SECOND = 50_000;
  /**
   * The rate the capacity row's jobs fall due at: far beyond the mover's, so that they are a backlog at once, yet 100 a
   * millisecond (more than {@code DueJobs.MOVE_AT_MOST} due in the same millisecond move the slower way, see DueJobs).
   */
  static final int BACKLOG_PER_SECOND = 1_000_000;
  /** The first due time is this far ahead of the re-scoring's start, so that the re-scoring is not counted. */
  private static final long DUE_AHEAD_MILLIS = 3_000;

  private final Supplier<NodeSettings> settings;
  private final Printer discard;
  private final Redis redis;
  private final PrintStream out;

  /** @param redis a client of the Redis the nodes use, for its memory figure and the scheduled set */
  DelayedBench(Supplier<NodeSettings> settings, Printer discard, Redis redis, PrintStream out) {
    this.settings = settings;
    this.discard = discard;
    this.redis = redis;
    this.out = out;
  }

  /** @param jobs how many delayed jobs, in thousands' batches: {@value #JOBS} for the figures the README quotes */
  List<BenchResult> run(int jobs) {
    NodeSettings config = settings.get();
    StreamKeys keys = config.queue().keys();
    Node node = Node.start(config, JobHandlers.standard(discard, config.limits()));
    Vertx vertx = Vertx.vertx();
    try (HttpLoad load = new HttpLoad(vertx, node.httpPort(), config.http().token(), 4)) {
      long before = usedMemory();
      submit(load, keys, jobs);
      double mib = (usedMemory() - before) / (1024.0 * 1024.0);
      out.printf(Locale.ROOT, "delayed: %,d jobs pending take %.1f MiB of Redis memory (%.0f bytes each)%n", jobs, mib,
          mib * 1024 * 1024 / jobs);

      long processedBefore = processed(keys);
      // The mover alone: the workers hold off while it runs (the jobs then run, and must all run, after the resume).
      control(load, "pause");
      Moved steady = fallDue(node, keys, DUE_PER_SECOND);
      out.printf(Locale.ROOT, "delayed: %,d jobs falling due %,d a second (over %.2f s) moved to their streams in %.2f s from the "
          + "first due time: %,.0f jobs/s, the last %,d ms after it fell due%n", jobs, DUE_PER_SECOND, steady.dueSeconds(),
          steady.seconds(), jobs / steady.seconds(), steady.lastLagMillis());
      // As many more, due BACKLOG_PER_SECOND a second (a backlog at once): moved as fast as the mover can (its headroom
      // over the row above).
      submit(load, keys, jobs);
      Moved backlog = fallDue(node, keys, BACKLOG_PER_SECOND);
      out.printf(Locale.ROOT, "delayed: %,d jobs due within %.2f s moved to their streams in %.2f s from the first due time: "
          + "%,.0f jobs/s%n", jobs, backlog.dueSeconds(), backlog.seconds(), jobs / backlog.seconds());
      control(load, "resume");
      long start = System.nanoTime();
      while (processed(keys) - processedBefore < 2L * jobs) {
        if (System.nanoTime() - start > 2 * MOVE_LIMIT_MILLIS * 1_000_000) {
          throw new IllegalStateException("delayed jobs: " + (processed(keys) - processedBefore) + " of " + 2 * jobs + " ran");
        }
        pause(node, 20);
      }
      return List.of(
          BenchResult.of(String.format(Locale.ROOT, "delayed jobs pending: Redis memory of %,d", jobs), "MiB", List.of(mib)),
          BenchResult.of(String.format(Locale.ROOT, "due jobs moved to their streams (%,d falling due %,d/s)", jobs, DUE_PER_SECOND),
              "jobs/s", List.of(jobs / steady.seconds())),
          BenchResult.of(String.format(Locale.ROOT, "due jobs: the last one moved after its due time (%,d falling due %,d/s)", jobs,
              DUE_PER_SECOND), "ms", List.of((double) steady.lastLagMillis())),
          BenchResult.of(String.format(Locale.ROOT, "due jobs moved to their streams (%,d due within %.1f s: the mover's capacity)",
              jobs, jobs / (double) BACKLOG_PER_SECOND),
              "jobs/s", List.of(jobs / backlog.seconds())));
    } finally {
      vertx.close().await();
      node.stop();
    }
  }

  /** @param seconds from the first due time until the last job was moved */
  private record Moved(double dueSeconds, double seconds, long lastLagMillis) {
  }

  /**
   * Submits that many delayed jobs, due in an hour (nothing falls due while the memory is measured), in batches of
   * 1000, then forgets the Idempotency-Keys that made resending safe (a delayed job submitted without one keeps none).
   */
  private void submit(HttpLoad load, StreamKeys keys, int jobs) {
    Buffer batch = batchBody(Instant.now().plusSeconds(3600));
    String run = Long.toHexString(System.nanoTime());
    for (int n = 0; n < jobs / BATCH; n++) {
      submit(load, new HttpLoad.Call(HttpMethod.POST, "/api/jobs/batch", batch, "bench-delayed-" + run + "-" + n, 202, BATCH));
    }
    forgetKeys(keys);
  }

  /**
   * Makes every scheduled job that waits due, {@code perSecond} a second from a moment ahead, and waits
   * until the mover has moved them all (its mark is past them).
   */
  private Moved fallDue(Node node, StreamKeys keys, int perSecond) {
    // The scores set in slices (one ZADD of the whole set would hold Redis for a second), and the clock of the scores is
    // the one the mover compares them with (epoch millis).
    var ids = redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(keys.scheduled()).arg(afterMark(keys)).arg("+inf")).await();
    long firstDue = System.currentTimeMillis() + DUE_AHEAD_MILLIS;
    for (int from = 0; from < ids.size(); from += RESCORE_SLICE) {
      Request due = Request.cmd(Command.ZADD).arg(keys.scheduled()).arg("XX");
      for (int i = from; i < Math.min(ids.size(), from + RESCORE_SLICE); i++) {
        due.arg(firstDue + i * 1000L / perSecond).arg(ids.get(i).toString());
      }
      redis.send(due).await();
    }
    long lastDue = firstDue + (ids.size() - 1) * 1000L / perSecond;
    if (System.currentTimeMillis() > firstDue) {
      out.printf(Locale.ROOT, "delayed: the due times were set %d ms after the first of them%n", System.currentTimeMillis() - firstDue);
    }
    while (redis.send(Request.cmd(Command.ZCOUNT).arg(keys.scheduled()).arg(afterMark(keys)).arg("+inf")).await().toLong() > 0) {
      if (System.currentTimeMillis() - lastDue > MOVE_LIMIT_MILLIS) {
        throw new IllegalStateException("delayed jobs: not all moved within " + MOVE_LIMIT_MILLIS / 1000 + " s of the last due time");
      }
      pause(node, 5);
    }
    long allMoved = System.currentTimeMillis();
    return new Moved((lastDue - firstDue) / 1000.0, (allMoved - firstDue) / 1000.0, allMoved - lastDue);
  }

  /**
   * One batch, sent again with its Idempotency-Key (so never twice) while the node answers 503: a queue that did not
   * answer in time on a busy machine.
   */
  private static void submit(HttpLoad load, HttpLoad.Call call) {
    int status = 0;
    for (int attempt = 1; attempt <= 5 && status != call.expected(); attempt++) {
      status = HttpLoad.awaitBounded(load.send(call), 60_000);
      if (status != call.expected() && status != 503) {
        break;
      }
    }
    if (status != call.expected()) {
      throw new IllegalStateException("delayed jobs: " + call.uri() + " answered " + status);
    }
  }

  /** The Idempotency-Keys that made resending safe: a delayed job submitted without one keeps none, so they do not count. */
  private void forgetKeys(StreamKeys keys) {
    ScratchKeys.delete(redis, keys.idempotencyPrefix() + "*");
  }

  /** The lower bound of the scheduled set's jobs still waiting: after the mover's mark (the others are moved). */
  private String afterMark(StreamKeys keys) {
    var mark = redis.send(Request.cmd(Command.GET).arg(keys.scheduledMoved())).await();
    return "(" + (mark == null ? "0" : mark.toString());
  }

  private static void control(HttpLoad load, String action) {
    HttpLoad.awaitBounded(load.fetch(new HttpLoad.Call(HttpMethod.POST, "/api/queues/sum/" + action, null, null, 200, 0)), 10_000);
  }

  private long usedMemory() {
    String info = redis.send(Request.cmd(Command.INFO).arg("memory")).await().toString();
    return info.lines().filter(l -> l.startsWith("used_memory:")).map(l -> Long.parseLong(l.substring(12).trim()))
        .findFirst().orElseThrow(() -> new IllegalStateException("INFO memory has no used_memory"));
  }

  private long processed(StreamKeys keys) {
    var count = redis.send(Request.cmd(Command.HGET).arg(keys.counters("sum")).arg("processed")).await();
    return count == null ? 0 : count.toLong();
  }

  private static void pause(Node node, long millis) {
    Future.<Void>future(p -> node.vertx().setTimer(millis, t -> p.complete())).await();
  }

  private static Buffer batchBody(Instant runAt) {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < BATCH; i++) {
      jobs.add(new JsonObject().put("type", "sum").put("payload", new JsonObject().put("numbers", new JsonArray().add(i).add(1)))
          .put("client", "bench-delayed").put("runAt", runAt.toString()));
    }
    return jobs.toBuffer();
  }
}
