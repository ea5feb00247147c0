package hwaas.worker;

import hwaas.config.HwaasConfig;
import hwaas.queue.Job;
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
  private HwaasConfig config;
  private RedisProbe probe;
  private final NodeCounters counters = new NodeCounters();
  private final Capture stdout = new Capture();
  private Printer printer;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    config = TestConfigs.local(3, 0, 1);
    probe = new RedisProbe(config);
    printer = new Printer(stdout, () -> { });
    vertx.deployVerticle(new QueueVerticle(config)).await(10, TimeUnit.SECONDS);
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
          Job.print("c" + (i % 7), i, System.currentTimeMillis(), "hello " + i).toJson()));
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
  @DisplayName("a job whose handler fails is not acknowledged: it stays pending in the stream")
  void failedJobStaysPending(Vertx vertx) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    deployWorkers(vertx, job -> {
      calls.incrementAndGet();
      return Future.failedFuture("the printer caught fire");
    });

    vertx.eventBus().request(QueueAddresses.SUBMIT, Job.print("c1", 0, 1, "hello").toJson()).await(5, TimeUnit.SECONDS);

    Poll.until(Duration.ofSeconds(5), "the handler to run", () -> calls.get() == 1);
    Poll.until(Duration.ofSeconds(5), "the failure to be counted", () -> counters.failed.sum() == 1);
    assertEquals(1, probe.streamLength());
    assertEquals(1, probe.pendingInGroup());
    assertEquals(0, counters.printed.sum());
  }

  private void deployWorkers(Vertx vertx, JobHandler print) throws Exception {
    JobHandlers handlers = new JobHandlers(Map.of(Job.PRINT, print));
    AtomicInteger n = new AtomicInteger();
    vertx.deployVerticle(() -> new WorkerVerticle(config, "test-w" + n.getAndIncrement(), handlers, counters),
        new DeploymentOptions().setInstances(config.workers())).await(10, TimeUnit.SECONDS);
  }

  private long length() {
    try {
      return probe.streamLength();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
