package hwaas.node;

import hwaas.node.NodeSettings;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.RecordingHandler;
import hwaas.testing.RedisProbe;
import hwaas.testing.TestConfigs;
import hwaas.jobs.JobHandlers;
import hwaas.jobs.PrintHandler;
import hwaas.support.Printer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole nodes: clustered Vert.x on Hazelcast, the real Redis, clients, queue and workers together. */
class NodeTest {

  @Test
  @DisplayName("one client and one worker print hello, world! once a second")
  void oneLinePerSecond() throws Exception {
    NodeSettings config = TestConfigs.local(1, 1, 1);
    Capture stdout = new Capture();
    try (Printer printer = new Printer(stdout, () -> { })) {
      Node node = Node.start(config, JobHandlers.standard(printer, config.limits()));
      try {
        // The first job goes at start, the rest on the client's timer: time three of its periods.
        Poll.until(Duration.ofSeconds(5), "the second line", () -> stdout.lines().size() == 2);
        long second = System.nanoTime();
        Poll.until(Duration.ofSeconds(8), "five lines", () -> stdout.lines().size() >= 5);
        double seconds = (System.nanoTime() - second) / 1e9;
        assertTrue(seconds > 2.5 && seconds < 3.8, "three more lines took " + seconds + " s");
      } finally {
        Summary summary = node.stop();
        assertEquals(summary.submitted(), summary.printed());
        assertEquals(0, summary.pending());
      }
      assertTrue(stdout.lines().stream().allMatch("hello, world!"::equals), stdout.lines().toString());
    }
  }

  @Test
  @DisplayName("four workers and fifty clients: every submitted job printed exactly once, nothing left pending after stop")
  void manyClientsExactlyOnce() throws Exception {
    NodeSettings config = TestConfigs.local(4, 50, 20);
    Capture stdout = new Capture();
    try (Printer printer = new Printer(stdout, () -> { }); RedisProbe probe = new RedisProbe(config)) {
      RecordingHandler recorder = new RecordingHandler(new PrintHandler(printer));
      Node node = Node.start(config, JobHandlers.standard(printer, config.limits()).withPrint(recorder));
      Poll.until(Duration.ofSeconds(10), "2000 printed jobs", () -> recorder.count() >= 2_000);
      Summary summary = node.stop();

      List<String> printed = recorder.jobIds();
      System.out.println(summary.line());
      assertEquals(printed.size(), new HashSet<>(printed).size(), "a job was printed twice");
      assertEquals(summary.submitted(), printed.size(), "submitted and printed differ");
      assertEquals(summary.submitted(), summary.printed());
      assertEquals(0, summary.failed());
      assertEquals(0, summary.pending());
      assertEquals(0, probe.streamLength());
      assertEquals(0, probe.pendingInGroup());
      assertEquals(printed.size(), stdout.lines().size());
      // 50 clients, each numbering its jobs from 0
      assertEquals(50, printed.stream().map(id -> id.substring(0, id.lastIndexOf(':'))).distinct().count());
    }
  }

  @Test
  @DisplayName("three partitions (as on a Redis Cluster): clients' jobs spread over all three, each printed exactly once, "
      + "the queue figures add them up, nothing left pending after stop")
  void partitionsShareTheWork() throws Exception {
    NodeSettings plain = TestConfigs.local(2, 30, 20);
    // A hash-tagged prefix, as on a cluster: on one Redis a partition is only a name, and behaves the same.
    NodeSettings config = plain.withQueue(plain.queue().withKeyPrefix("{" + plain.queue().keyPrefix() + "}").withPartitions(3));
    Capture stdout = new Capture();
    try (Printer printer = new Printer(stdout, () -> { })) {
      RecordingHandler recorder = new RecordingHandler(new PrintHandler(printer));
      Node node = Node.start(config, JobHandlers.standard(printer, config.limits()).withPrint(recorder));
      Poll.until(Duration.ofSeconds(10), "1500 printed jobs", () -> recorder.count() >= 1_500);
      Summary summary = node.stop();

      List<String> printed = recorder.jobIds();
      System.out.println(summary.line());
      assertEquals(printed.size(), new HashSet<>(printed).size(), "a job was printed twice");
      assertEquals(summary.submitted(), printed.size(), "submitted and printed differ");
      assertEquals(0, summary.pending());
      long processed = 0;
      for (hwaas.queue.StreamKeys partition : config.queue().partitionKeys().all()) {
        try (RedisProbe probe = new RedisProbe(config.withQueue(config.queue().withKeyPrefix(partition.prefix())))) {
          long here = probe.counter("print", "processed");
          assertTrue(here > 100, partition.prefix() + " ran " + here + " of " + printed.size() + " jobs");
          assertEquals(0, probe.pendingInGroup(), partition.prefix());
          processed += here;
        }
      }
      assertEquals(printed.size(), processed, "the partitions' counters add up to what was printed");
      io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
      try {
        io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(vertx, config.redis().options());
        io.vertx.core.json.JsonObject print = hwaas.queue.QueueStats.read(redis, config.queue().partitionKeys(), List.of("print"))
            .await(5, java.util.concurrent.TimeUnit.SECONDS).getJsonObject(0);
        assertEquals(processed, print.getLong("processed"), "the queue figures (GET /api/queues) " + print.encode());
        assertEquals(0, print.getLong("pending") + print.getLong("inFlight"), print.encode());
      } finally {
        vertx.close().await();
      }
    }
  }
}
