package hwaas.worker;

import hwaas.jobs.JobHandler;
import hwaas.jobs.JobHandlers;
import hwaas.jobs.PrintHandler;
import hwaas.support.AuditTrail;
import hwaas.support.Printer;

import hwaas.node.NodeSettings;
import hwaas.jobs.Job;
import hwaas.jobs.JobContract;
import hwaas.jobs.JobBatch;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueVerticle;
import hwaas.stats.NodeCounters;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.RecordingHandler;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class WorkerVerticleTest {
  private NodeSettings config;
  private RedisProbe probe;
  private final NodeCounters counters = new NodeCounters();
  private final Capture stdout = new Capture();
  private Printer printer;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    config = TestConfigs.local(3, 0, 1);
    probe = new RedisProbe(config);
    printer = new Printer(stdout, () -> { });
    vertx.deployVerticle(new QueueVerticle(config.redis(), config.queue(), JobContract.standard())).await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() {
    probe.close();
    printer.close();
  }

  @Test
  @DisplayName("three workers print every job exactly once, acknowledge it, and leave the stream empty")
  void printsEachJobOnceThenAcks(Vertx vertx) throws Exception {
    RecordingHandler recorder = new RecordingHandler(new PrintHandler(printer));
    deployWorkers(vertx, recorder);

    int jobs = 2_000;
    List<Future<?>> replies = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      replies.add(vertx.eventBus().request(QueueAddresses.SUBMIT,
          JobBatch.of(Job.print("c" + (i % 7), i, System.currentTimeMillis(), "hello " + i)).toJson().encode()));
    }
    Future.all(replies).await(10, TimeUnit.SECONDS);

    Poll.until(Duration.ofSeconds(10), "all jobs printed and acknowledged", () -> recorder.count() >= jobs && length() == 0);
    assertEquals(jobs, recorder.count());
    assertEquals(jobs, new HashSet<>(recorder.jobIds()).size(), "a job ran twice");
    assertEquals(jobs, stdout.lines().size());
    assertTrue(stdout.lines().contains("hello 1999"));
    assertEquals(jobs, counters.printed.sum());
    assertEquals(0, probe.pendingInGroup());
  }

  @Test
  @DisplayName("a handler that fails twice then succeeds: printed once, on the third attempt")
  void retriedUntilItSucceeds(Vertx vertx) throws Exception {
    config = config.withWorkers(config.workers().withRetries(3, Duration.ofMillis(100)));
    AtomicInteger attempts = new AtomicInteger();
    deployWorkers(vertx, job -> attempts.incrementAndGet() <= 2
        ? Future.failedFuture("flaky printer, attempt " + attempts.get())
        : new PrintHandler(printer).run(job));

    submit(vertx, Job.print("c1", 0, 1, "third time lucky"));

    Poll.until(Duration.ofSeconds(10), "the job printed and acknowledged", () -> counters.printed.sum() == 1 && length() == 0);
    assertEquals(3, attempts.get());
    assertEquals(List.of("third time lucky"), stdout.lines());
    assertEquals(2, counters.failed.sum());
    assertEquals(0, probe.pendingInGroup());
    assertEquals(0, probe.deadLetters().size());
    System.out.println("flaky: submitted=1 printed=1 duplicates=0 lost=0 attempts=" + attempts.get());
  }

  @Test
  @DisplayName("a handler that always fails: after the maximum attempts the job is in the dead-letter stream with its error")
  void deadLetteredAfterMaxAttempts(Vertx vertx) throws Exception {
    config = config.withWorkers(config.workers().withRetries(3, Duration.ofMillis(50)));
    AtomicInteger attempts = new AtomicInteger();
    deployWorkers(vertx, job -> Future.failedFuture("printer on fire (attempt " + attempts.incrementAndGet() + ")"));

    submit(vertx, Job.print("c1", 7, 1, "never printed"));

    Poll.until(Duration.ofSeconds(10), "the job dead-lettered", () -> deadLetters().size() == 1);
    var dead = deadLetters().get(0);
    assertEquals("c1:7", dead.getJsonObject("job").getString("id"));
    assertEquals("3", dead.getString("attempts"));
    assertEquals("printer on fire (attempt 3)", dead.getString("error"));
    assertEquals(3, attempts.get());
    assertEquals(0, probe.streamLength());
    assertEquals(0, probe.pendingInGroup());
    assertEquals(0, counters.printed.sum());

    // Requeued, it gets fresh attempts: three more, then it is dead again.
    var keys = config.queue().keys();
    var deadLetters = new hwaas.queue.DeadLetters(io.vertx.redis.client.Redis.createClient(vertx, config.redis().options()),
        keys, new hwaas.queue.JobRecords(keys, config.queue().recordTtl()));
    deadLetters.requeue(dead.getString("deadId")).await(5, TimeUnit.SECONDS);
    Poll.until(Duration.ofSeconds(10), "three more attempts and a new dead letter",
        () -> attempts.get() == 6 && deadLetters().size() == 1);
    assertEquals("printer on fire (attempt 6)", deadLetters().get(0).getString("error"));
  }

  @Test
  @DisplayName("one job of a batch entry fails: the others print once, and only the failed one runs again")
  void partialFailureRetriesOnlyTheFailedJob(Vertx vertx) throws Exception {
    config = config.withWorkers(config.workers().withRetries(3, Duration.ofMillis(100)));
    Map<String, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();
    deployWorkers(vertx, job -> runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet() == 1 && job.id().equals("c1:1")
        ? Future.failedFuture("c1:1 hiccup")
        : new PrintHandler(printer).run(job));

    submit(vertx, batchOf("c1:0", "c1:1", "c1:2"));

    Poll.until(Duration.ofSeconds(10), "all three printed and the entry acknowledged", () -> counters.printed.sum() == 3 && length() == 0);
    assertEquals(Map.of("c1:0", 1, "c1:1", 2, "c1:2", 1), Map.of("c1:0", runs.get("c1:0").get(), "c1:1", runs.get("c1:1").get(),
        "c1:2", runs.get("c1:2").get()));
    assertEquals(3, stdout.lines().size());
    assertEquals(1, counters.failed.sum());
    assertEquals(0, probe.pendingInGroup());
  }

  @Test
  @DisplayName("one job of a batch entry always fails: it alone is dead-lettered, the others print once")
  void partialDeadLetter(Vertx vertx) throws Exception {
    config = config.withWorkers(config.workers().withRetries(2, Duration.ofMillis(50)));
    AtomicInteger printed = new AtomicInteger();
    deployWorkers(vertx, job -> job.id().equals("c1:1")
        ? Future.failedFuture("c1:1 cannot be printed")
        : new PrintHandler(printer).run(job).onSuccess(r -> printed.incrementAndGet()));

    submit(vertx, batchOf("c1:0", "c1:1", "c1:2"));

    Poll.until(Duration.ofSeconds(10), "the failing job dead-lettered", () -> deadLetters().size() == 1 && length() == 0);
    assertEquals("c1:1", deadLetters().get(0).getJsonObject("job").getString("id"));
    assertEquals("c1:1 cannot be printed", deadLetters().get(0).getString("error"));
    assertEquals(2, printed.get());
    assertEquals(2, stdout.lines().size());
    assertEquals(0, probe.pendingInGroup());
  }

  @Test
  @DisplayName("a job that outlives the job timeout counts as a failed attempt and is retried")
  void slowJobTimesOut(Vertx vertx) throws Exception {
    config = config.withLimits(config.limits().withJobTimeout(Duration.ofMillis(200))).withWorkers(config.workers().withRetries(2, Duration.ofMillis(50)));
    AtomicInteger attempts = new AtomicInteger();
    deployWorkers(vertx, job -> attempts.incrementAndGet() == 1
        ? io.vertx.core.Promise.<io.vertx.core.json.JsonObject>promise().future() // never completes
        : new PrintHandler(printer).run(job));

    submit(vertx, Job.print("c1", 0, 1, "late but printed"));

    Poll.until(Duration.ofSeconds(10), "the retry to print", () -> counters.printed.sum() == 1 && length() == 0);
    assertEquals(2, attempts.get());
    assertEquals(1, counters.failed.sum());
  }

  @Test
  @DisplayName("a closed standard output fails no attempt: what was read goes back uncounted, and the workers stop reading")
  void closedOutputGivesBack(Vertx vertx) throws Exception {
    Printer closed = new Printer(new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        throw new java.io.IOException("Broken pipe");
      }
    }, () -> { });
    deployWorkers(vertx, new PrintHandler(closed));
    submit(vertx, batchOf("c:0", "c:1", "c:2", "c:3", "c:4"));

    Poll.until(Duration.ofSeconds(10), "the entry to be read and given back", () -> pendingRow() != null && pendingRow().get(3).toLong() == 0
        && pendingRow().get(2).toLong() >= 1_000);
    Thread.sleep(1_500); // other workers' reclaimers may claim it, fail the same way and give it back
    io.vertx.redis.client.Response row = pendingRow();
    assertEquals(0, row.get(3).toLong(), "a delivery was counted against the job: " + row);
    assertEquals(0, counters.failed.sum(), "a closed output counted as failed attempts");
    assertEquals(List.of(), deadLetters());
    io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(vertx, config.redis().options());
    try {
      assertEquals(0, redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HLEN)
          .arg(config.queue().keys().errors(Job.PRINT))).await(5, TimeUnit.SECONDS).toLong(), "an error was noted");
    } finally {
      redis.close();
      closed.close();
    }
  }

  @Test
  @DisplayName("an entry that holds no readable job is not dropped: it goes to the dead letters with the reason and its fields")
  void unreadableEntryIsDeadLettered(Vertx vertx) throws Exception {
    io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(vertx, config.redis().options());
    try {
      redis.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.XADD).arg(config.queue().keys().stream(Job.PRINT))
          .arg("*").arg("jobs").arg("not json at all")).await(5, TimeUnit.SECONDS);
    } finally {
      redis.close();
    }
    deployWorkers(vertx, new PrintHandler(printer));

    Poll.until(Duration.ofSeconds(10), "the entry to leave the stream", () -> length() == 0 && !deadLetters().isEmpty());
    io.vertx.core.json.JsonObject letter = deadLetters().get(0);
    assertTrue(letter.getString("error").startsWith("unreadable entry"), letter.encode());
    assertTrue(letter.getString("raw").contains("not json at all"), letter.encode());
    assertEquals(0, counters.failed.sum());
  }

  @Test
  @DisplayName("dead letters are capped at --max-dead: the oldest are dropped, counted, and the rest page in order")
  void deadLettersAreCappedAndPaged(Vertx vertx) throws Exception {
    config = config.withWorkers(config.workers().withRetries(1, Duration.ofMillis(50))).withQueue(config.queue().withMaxDead(3));
    deployWorkers(vertx, job -> Future.failedFuture("always"));
    for (int i = 0; i < 5; i++) {
      submit(vertx, Job.print("cap", i, 1, "x"));
    }
    Poll.until(Duration.ofSeconds(15), "every job dead-lettered or dropped", () -> length() == 0 && pendingInGroup() == 0);
    List<io.vertx.core.json.JsonObject> letters = deadLetters();
    assertEquals(3, letters.size(), "kept: " + letters);
    io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(vertx, config.redis().options());
    try {
      var keys = config.queue().keys();
      // Counted once the trim answered, in a write of its own: it may land a moment after the last letter.
      Poll.until(Duration.ofSeconds(5), "the trimmed letters counted", () -> String.valueOf(redis.send(
          io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HGET).arg(keys.counters(Job.PRINT)).arg("deadTrimmed"))
          .await()).equals("2"));
      var dead = new hwaas.queue.DeadLetters(redis, keys, new hwaas.queue.JobRecords(keys, config.queue().recordTtl()));
      var first = dead.page(null, 2).await(5, TimeUnit.SECONDS);
      var second = dead.page(first.next(), 2).await(5, TimeUnit.SECONDS);
      assertEquals(2, first.letters().size());
      assertEquals(1, second.letters().size());
      assertEquals(null, second.next());
      assertEquals(letters.stream().map(l -> l.getString("deadId")).toList(),
          java.util.stream.Stream.concat(first.letters().stream(), second.letters().stream()).map(l -> l.getString("deadId")).toList());
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("a slow output fails no job: lines handed to the printer are not timed out, so each prints once")
  void slowOutputFailsNothing(Vertx vertx) throws Exception {
    config = config.withLimits(config.limits().withJobTimeout(Duration.ofMillis(200)));
    Capture slow = new Capture() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        try {
          Thread.sleep(100); // a pipe read by a slow consumer
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.write(b, off, len);
      }
    };
    try (Printer slowPrinter = new Printer(slow, () -> { })) {
      deployWorkers(vertx, new PrintHandler(slowPrinter));
      List<String> ids = new ArrayList<>();
      for (int b = 0; b < 10; b++) {
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          batch.add("slow:" + (b * 20 + i));
        }
        ids.addAll(batch);
        submit(vertx, new JobBatch("slow-" + b, Job.PRINT, 1, new io.vertx.core.json.JsonObject().put("message", "slow"),
            false, batch));
      }
      Poll.until(Duration.ofSeconds(30), "every job printed and acknowledged", () -> counters.printed.sum() == ids.size() && length() == 0);
      assertEquals(0, counters.failed.sum(), "jobs timed out while their lines waited for the output");
      assertEquals(ids.size(), slow.lines().size(), "a line printed twice");
    }
  }

  private long pendingInGroup() {
    try {
      return probe.pendingInGroup();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private io.vertx.redis.client.Response pendingRow() {
    try {
      io.vertx.redis.client.Response rows = probe.pendingRows();
      return rows.size() == 0 ? null : rows.get(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void submit(Vertx vertx, Job job) throws Exception {
    submit(vertx, JobBatch.of(job));
  }

  private void submit(Vertx vertx, JobBatch batch) throws Exception {
    vertx.eventBus().request(QueueAddresses.SUBMIT, batch.toJson().encode()).await(5, TimeUnit.SECONDS);
  }

  private static JobBatch batchOf(String... ids) {
    return new JobBatch("b:" + ids[0], Job.PRINT, 1, new io.vertx.core.json.JsonObject().put("message", "hello, world!"),
        false, List.of(ids));
  }

  private List<io.vertx.core.json.JsonObject> deadLetters() {
    try {
      return probe.deadLetters();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void deployWorkers(Vertx vertx, JobHandler print) throws Exception {
    JobHandlers handlers = JobHandlers.standard(printer, config.limits()).withPrint(print);
    AtomicInteger n = new AtomicInteger();
    vertx.deployVerticle(() -> new WorkerVerticle(config.redis(), config.queue(), config.workers(), "test-w" + n.getAndIncrement(), handlers, counters, AuditTrail.NONE, hwaas.support.NodeOutages.create(),
        new hwaas.queue.PausedTypes()),
        new DeploymentOptions().setInstances(config.workers().count())).await(10, TimeUnit.SECONDS);
  }

  private long length() {
    try {
      return probe.streamLength();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
