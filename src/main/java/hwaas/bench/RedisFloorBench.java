package hwaas.bench;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an API job must cost Redis at the least, whatever the code around it: the fewest plain commands (no Lua,
 * pipelined, on the bench's Redis with its append-only file) that give each job its own record, its entries in the
 * console's indexes (type, client, state; the clients' set once a batch) and its two status changes (running, then
 * completed), against the same work with one record for a whole batch of 1000. No HWaaS code runs; the figure is
 * Redis's CPU (INFO cpu) per job, so a single Redis, which runs commands on one core, can take at most a million
 * divided by it API jobs a second.
 */
final class RedisFloorBench {
  private static final int BATCH = 1000;
  private static final String PAYLOAD = "{\"message\":\"hello, world!\"}";

  private final Redis redis;
  private final PrintStream out;
  private int run;

  RedisFloorBench(Redis redis, PrintStream out) {
    this.redis = redis;
    this.out = out;
  }

  /** @param jobs jobs per round, rounded down to whole batches of 1000 (at least one) */
  List<BenchResult> rows(int jobs, int rounds) {
    int batches = Math.max(1, jobs / BATCH);
    List<Double> own = new ArrayList<>();
    List<Double> shared = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      own.add(microsPerJob(batches, true));
      progress("own record", own);
      shared.add(microsPerJob(batches, false));
      progress("one record per batch of 1000", shared);
    }
    return List.of(BenchResult.of("Redis floor per API job, own record", "µs", own),
        BenchResult.of("Redis floor per API job, one record per batch", "µs", shared));
  }

  private void progress(String what, List<Double> micros) {
    double last = micros.get(micros.size() - 1);
    out.printf(Locale.ROOT, "Redis floor per API job, %s: round %d: %.2f µs of Redis CPU a job (one Redis: at most %,.0f jobs/s)%n",
        what, micros.size(), last, 1e6 / last);
  }

  /** Redis's CPU per job over {@code batches} batches written, started and completed; the keys deleted afterwards. */
  private double microsPerJob(int batches, boolean ownRecords) {
    String prefix = "bench:floor:" + (run++) + ":";
    double before = ExternalBench.redisCpuSeconds(redis);
    for (int b = 0; b < batches; b++) {
      List<String> ids = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        ids.add(String.format(Locale.ROOT, "api-%08x", b * BATCH + i));
      }
      redis.batch(ownRecords ? ownRecords(prefix, ids) : sharedRecord(prefix, b, ids)).await();
    }
    double used = ExternalBench.redisCpuSeconds(redis) - before;
    ScratchKeys.delete(redis, prefix + "*");
    return used * 1e6 / ((double) batches * BATCH);
  }

  /** Each job: its record, four index entries, a stream entry's share, then running and completed, each in its record and state index. */
  private static List<Request> ownRecords(String prefix, List<String> ids) {
    String now = Long.toString(System.currentTimeMillis());
    List<Request> writes = new ArrayList<>(ids.size() * 5 + 16);
    for (String id : ids) {
      writes.add(Request.cmd(Command.HSET).arg(prefix + "rec:" + id).arg("type").arg("print").arg("client").arg("bench")
          .arg("status").arg("queued").arg("payload").arg(PAYLOAD).arg("createdAt").arg(now).arg("ev:" + now + ":queued").arg(""));
      writes.add(Request.cmd(Command.EXPIRE).arg(prefix + "rec:" + id).arg(3600));
    }
    for (String index : List.of("type:print", "client:bench", "state:queued")) {
      writes.add(indexAdd(prefix + index, now, ids));
    }
    writes.add(Request.cmd(Command.ZADD).arg(prefix + "clients").arg(now).arg("bench"));
    writes.add(Request.cmd(Command.XADD).arg(prefix + "jobs").arg("*").arg("jobs").arg(jobsJson(ids)));
    for (String id : ids) {
      writes.add(Request.cmd(Command.HSET).arg(prefix + "rec:" + id).arg("status").arg("running").arg("attempts").arg("1")
          .arg("ev:" + now + ":running").arg("worker-1"));
    }
    writes.add(indexRemove(prefix + "state:queued", ids));
    writes.add(indexAdd(prefix + "state:running", now, ids));
    for (String id : ids) {
      writes.add(Request.cmd(Command.HSET).arg(prefix + "rec:" + id).arg("status").arg("completed").arg("finishedAt").arg(now)
          .arg("ev:" + now + ":completed").arg("").arg("result").arg("{}"));
      writes.add(Request.cmd(Command.EXPIRE).arg(prefix + "rec:" + id).arg(3600));
    }
    writes.add(indexRemove(prefix + "state:running", ids));
    writes.add(indexAdd(prefix + "state:completed", now, ids));
    return writes;
  }

  /** The same work with one record, and one entry in each index, for the whole batch. */
  private static List<Request> sharedRecord(String prefix, int batch, List<String> ids) {
    String now = Long.toString(System.currentTimeMillis());
    String record = prefix + "batch:" + batch;
    String member = "batch-" + batch;
    String jobs = jobsJson(ids);
    List<Request> writes = new ArrayList<>();
    writes.add(Request.cmd(Command.HSET).arg(record).arg("type").arg("print").arg("client").arg("bench").arg("status").arg("queued")
        .arg("jobs").arg(jobs).arg("createdAt").arg(now).arg("ev:" + now + ":queued").arg(""));
    writes.add(Request.cmd(Command.EXPIRE).arg(record).arg(3600));
    for (String index : List.of("type:print", "client:bench", "state:queued")) {
      writes.add(Request.cmd(Command.ZADD).arg(prefix + index).arg(now).arg(member));
    }
    writes.add(Request.cmd(Command.ZADD).arg(prefix + "clients").arg(now).arg("bench"));
    writes.add(Request.cmd(Command.XADD).arg(prefix + "jobs").arg("*").arg("jobs").arg(jobs));
    writes.add(Request.cmd(Command.HSET).arg(record).arg("status").arg("running").arg("ev:" + now + ":running").arg("worker-1"));
    writes.add(Request.cmd(Command.ZREM).arg(prefix + "state:queued").arg(member));
    writes.add(Request.cmd(Command.ZADD).arg(prefix + "state:running").arg(now).arg(member));
    writes.add(Request.cmd(Command.HSET).arg(record).arg("status").arg("completed").arg("finishedAt").arg(now)
        .arg("ev:" + now + ":completed").arg(""));
    writes.add(Request.cmd(Command.EXPIRE).arg(record).arg(3600));
    writes.add(Request.cmd(Command.ZREM).arg(prefix + "state:running").arg(member));
    writes.add(Request.cmd(Command.ZADD).arg(prefix + "state:completed").arg(now).arg(member));
    return writes;
  }

  private static Request indexAdd(String index, String score, List<String> ids) {
    Request zadd = Request.cmd(Command.ZADD).arg(index);
    ids.forEach(id -> zadd.arg(score).arg(id));
    return zadd;
  }

  /** The jobs leaving a state's index (their entry in the next state's follows in its own command). */
  private static Request indexRemove(String from, List<String> ids) {
    Request zrem = Request.cmd(Command.ZREM).arg(from);
    ids.forEach(zrem::arg);
    return zrem;
  }

  private static String jobsJson(List<String> ids) {
    StringBuilder json = new StringBuilder(ids.size() * 80).append('[');
    for (String id : ids) {
      json.append(json.length() > 1 ? "," : "").append("{\"id\":\"").append(id)
          .append("\",\"type\":\"print\",\"payload\":").append(PAYLOAD).append(",\"tracked\":true}");
    }
    return json.append(']').toString();
  }
}
