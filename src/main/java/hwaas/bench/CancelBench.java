package hwaas.bench;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.queue.StreamKeys;
import hwaas.support.Printer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cancel across nodes: two clustered nodes on one Redis, A serving the API with no worker, B running the only worker.
 * Job after job, a {@code sleep 30} is submitted to A, and once B runs it, canceled through A; the time measured runs
 * from sending the cancel to B having stopped the job and acknowledged its entry (nothing of sleep pending), seen in
 * Redis every millisecond.
 */
final class CancelBench {
  private static final Duration STEP_LIMIT = Duration.ofSeconds(10);

  private final Redis redis;
  private final Printer discard;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  CancelBench(Redis redis, Printer discard, PrintStream out) {
    this.redis = redis;
    this.discard = discard;
    this.out = out;
  }

  List<BenchResult> run(NodeSettings settings, int samples) throws IOException, InterruptedException {
    NodeSettings apiOnly = settings.withWorkers(settings.workers().withCount(0));
    Node a = Node.start(apiOnly, JobHandlers.standard(discard, apiOnly.limits()));
    Node b = null;
    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    try {
      b = Node.start(settings.withWorkers(settings.workers().withCount(1)), JobHandlers.standard(discard, settings.limits()));
      StreamKeys keys = settings.queue().keys();
      String base = "http://127.0.0.1:" + a.httpPort();
      String token = settings.http().token();
      for (int i = 0; i < samples; i++) {
        String id = new JsonObject(send(base + "/api/jobs", token, 202,
            "{\"type\":\"sleep\",\"payload\":{\"seconds\":30,\"message\":\"canceled\"},\"client\":\"cancel-bench\"}")).getString("id");
        await("job " + id + " to run", () -> "running".equals(status(keys, id)));
        long asked = System.nanoTime();
        send(base + "/api/jobs/" + id + "/cancel", token, 200, null);
        await("job " + id + " to stop", () -> pendingSleep(keys) == 0);
        h.recordValue((System.nanoTime() - asked) / 1000);
      }
    } finally {
      if (b != null) {
        b.stop();
      }
      a.stop();
    }
    out.printf("cancel: %d running jobs canceled across 2 nodes%n", h.getTotalCount());
    String shape = "cancel to stopped, across 2 nodes, ";
    return List.of(
        BenchResult.of(shape + "p50", "ms", List.of(h.getValueAtPercentile(50) / 1000.0)),
        BenchResult.of(shape + "p99", "ms", List.of(h.getValueAtPercentile(99) / 1000.0)),
        BenchResult.of(shape + "max", "ms", List.of(h.getMaxValue() / 1000.0)));
  }

  private String send(String url, String token, int expected, String json) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token);
    request = json == null ? request.POST(HttpRequest.BodyPublishers.noBody())
        : request.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  private String status(StreamKeys keys, String id) {
    var reply = redis.send(Request.cmd(Command.HGET).arg(keys.record(id)).arg("status")).await();
    return reply == null ? null : reply.toString();
  }

  private long pendingSleep(StreamKeys keys) {
    return redis.send(Request.cmd(Command.XPENDING).arg(keys.stream("sleep")).arg(StreamKeys.GROUP)).await().get(0).toLong();
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + STEP_LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("cancel bench: no " + what + " within " + STEP_LIMIT.toSeconds() + " s");
      }
      Thread.sleep(1);
    }
  }
}
