package hwaas.redis;

import hwaas.cli.AuditCommand;
import hwaas.queue.Partitions;
import hwaas.queue.StreamKeys;
import hwaas.support.AuditReport;
import hwaas.testing.Api;
import hwaas.testing.NodeProcess;
import hwaas.testing.Poll;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node process on a real three-primary Redis Cluster (redis-cluster://, from the embedded binary): print clients,
 * REST jobs of sum and sleep, a delayed job, and an external worker's job that fails into the dead letters, then the
 * audit. The clients' print jobs spread over three partitions (one per primary by default), each on its own primary.
 */
class RedisClusterIT {
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir = Path.of("target", "redis-cluster-it", run);

  @Test
  @DisplayName("a node on a three-primary Redis Cluster prints with no job lost, runs sum, sleep, delayed and external "
      + "jobs over REST as on one Redis, and spreads the clients' jobs over three partitions, one on each primary")
  void nodeOnACluster() throws Exception {
    try (LocalRedisCluster redis = LocalRedisCluster.start(dir.resolve("redis"), 3)) {
      String url = redis.url().toString();
      try (NodeProcess node = NodeProcess.start(dir, "node", Map.of("HWAAS_REDIS", url),
          "2", "10", "--rate", "200", "--http-port", "0", "--cluster-name", "redis-cluster-" + run, "--max-attempts", "1",
          "--audit", dir.resolve("node.audit").toString())) {
        node.awaitStarted();
        assertFalse(node.stderrText().contains(url), "the Redis password was printed");
        assertTrue(node.stderrText().contains("redis-cluster://:***@127.0.0.1:"), node.stderrText());
        assertTrue(node.stderrText().contains("jobs spread over 3 partitions"), node.stderrText());
        Api api = new Api(node.httpPort(), node.token());

        String sum = submit(api, "{\"type\":\"sum\",\"payload\":{\"numbers\":[2,3]},\"client\":\"cluster\"}");
        String sleep = submit(api, "{\"type\":\"sleep\",\"payload\":{\"seconds\":1,\"message\":\"slept\"},\"client\":\"cluster\"}");
        String delayed = submit(api, "{\"type\":\"sum\",\"payload\":{\"numbers\":[4,5]},\"client\":\"cluster\",\"delay\":1}");
        JsonObject summed = api.get("/api/jobs/" + sum + "?wait=10").json();
        assertEquals("completed", summed.getString("status"), summed.encode());
        assertEquals(5, summed.getJsonObject("result").getInteger("value"), summed.encode());
        assertEquals("completed", api.get("/api/jobs/" + sleep + "?wait=10").json().getString("status"));
        JsonObject due = api.get("/api/jobs/" + delayed + "?wait=10").json();
        assertEquals("completed", due.getString("status"), due.encode());
        assertEquals(9, due.getJsonObject("result").getInteger("value"), due.encode());

        // An external worker's job (a type declared at run time), failed by its worker: with one attempt, a dead letter.
        assertEquals(200, api.put("/api/types/boom", "{\"type\":\"object\"}").status());
        String failing = submit(api, "{\"type\":\"boom\",\"payload\":{},\"client\":\"cluster\"}");
        JsonObject fetched = api.post("/api/work/boom/fetch", "{\"max\":1,\"wait\":5}").json();
        String lease = fetched.getJsonArray("jobs").getJsonObject(0).getString("lease");
        assertEquals(200, api.post("/api/work/" + lease + "/fail", "{\"error\":\"boom on purpose\"}").status());
        // Its retry is due after the back-off; the next fetch's reclaimer finds its attempts used up.
        Poll.until(Duration.ofSeconds(30), "the failed job to end dead", () -> {
          try {
            api.post("/api/work/boom/fetch", "{\"max\":1,\"wait\":0}");
            return "dead".equals(api.get("/api/jobs/" + failing).json().getString("status"));
          } catch (Exception e) {
            return false;
          }
        });
        assertTrue(api.get("/api/dead").body().contains(failing), "the dead letter is not listed");
        assertTrue(api.get("/api/jobs?client=cluster").body().contains(sum), "the console's listing misses a job");
        Thread.sleep(2_000);
        assertEquals(0, node.stop(), node.stderrText());
      }

      // The partitions: one per primary by default, the count kept in the home, each partition's tag on a primary of
      // its own (as the cluster itself hashes it), and each partition ran print jobs.
      assertEquals("3", redis.ask(redis.portOf("{hwaas}:partitions"), "GET", "{hwaas}:partitions"));
      Set<Integer> owners = new HashSet<>();
      for (StreamKeys partition : Partitions.spread("{hwaas}", 3).all()) {
        int port = redis.portOf(partition.counters("print"));
        owners.add(port);
        Object processed = redis.ask(port, "HGET", partition.counters("print"), "processed");
        assertTrue(processed != null && Long.parseLong(processed.toString()) > 50,
            partition.prefix() + " on " + port + " processed " + processed);
        System.out.println("RedisClusterIT: " + partition.prefix() + " on primary " + port + " processed " + processed
            + " print jobs");
      }
      assertEquals(3, owners.size(), "two partitions on one primary");
    }
    AuditReport report = AuditCommand.audit(List.of(dir.resolve("node.audit")));
    System.out.println("RedisClusterIT: " + report.line());
    assertTrue(report.submitted() > 500, report.line());
    assertEquals(0, report.lost(), report.line() + " lost: " + report.lostIds());
  }

  @Test
  @DisplayName("API jobs spread over the partitions too: each record on its partition's primary, and keyed resends, "
      + "cached results, chains, delayed jobs, progress, external workers' fetches, cancels and the console work across them")
  void apiJobsSpread() throws Exception {
    try (LocalRedisCluster redis = LocalRedisCluster.start(dir.resolve("redis"), 3)) {
      try (NodeProcess node = NodeProcess.start(dir, "node", Map.of("HWAAS_REDIS", redis.url().toString()),
          "2", "0", "--http-port", "0", "--cluster-name", "redis-cluster-api-" + run)) {
        node.awaitStarted();
        Api api = new Api(node.httpPort(), node.token());
        Partitions partitions = Partitions.spread("{hwaas}", 3);

        // Single submissions go round the partitions; a batch goes to one, whole.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
          ids.add(submit(api, "{\"type\":\"sum\",\"payload\":{\"numbers\":[" + i + ",1]},\"client\":\"spread\"}"));
        }
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 20; i++) {
          batch.append(i > 0 ? "," : "").append("{\"type\":\"print\",\"payload\":{\"message\":\"spread ")
              .append(i).append("\"},\"client\":\"spread\"}");
        }
        Api.Reply batched = api.post("/api/jobs/batch", batch.append(']').toString());
        assertEquals(202, batched.status(), batched.body());
        List<String> batchIds = batched.json().getJsonArray("ids").stream().map(String.class::cast).toList();
        assertEquals(1, batchIds.stream().map(partitions::ofJob).distinct().count(), "a batch split: " + batchIds);
        ids.addAll(batchIds);

        // A keyed submission: a resend names the same job, found where the first one went.
        String keyed = "{\"type\":\"sum\",\"payload\":{\"numbers\":[7,7]},\"client\":\"spread\"}";
        Api.Reply first = api.post("/api/jobs", keyed, "application/json", node.token(), "Idempotency-Key", "spread-1");
        Api.Reply again = api.post("/api/jobs", keyed, "application/json", node.token(), "Idempotency-Key", "spread-1");
        assertEquals(202, first.status(), first.body());
        assertEquals(first.json().getString("id"), again.json().getString("id"), again.body());
        ids.add(first.json().getString("id"));

        // A chain's steps follow its first job's partition; a delayed job is moved by its partition's mover.
        String chain = submit(api, "{\"type\":\"sum\",\"payload\":{\"numbers\":[1,1]},\"client\":\"spread\","
            + "\"then\":[{\"type\":\"sum\",\"payload\":{\"numbers\":[2,2]}}]}");
        List<String> delayed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          delayed.add(submit(api, "{\"type\":\"sum\",\"payload\":{\"numbers\":[" + (100 + i)
              + ",1]},\"client\":\"spread\",\"delay\":1}"));
        }
        ids.addAll(delayed);
        Set<Integer> used = new HashSet<>();
        ids.forEach(id -> used.add(partitions.ofJob(id)));
        assertEquals(Set.of(0, 1, 2), used, "the jobs did not spread: " + ids);
        System.out.println("RedisClusterIT: API jobs per partition: " + ids.stream()
            .collect(java.util.stream.Collectors.groupingBy(partitions::ofJob, java.util.TreeMap::new, java.util.stream.Collectors.counting())));

        for (String id : ids) {
          JsonObject job = api.get("/api/jobs/" + id + "?wait=10").json();
          assertEquals("completed", job.getString("status"), job.encode());
          // The record is where the id says: on the primary of that partition's slot.
          StreamKeys keys = partitions.ofJobKeys(id);
          assertEquals("completed", redis.ask(redis.portOf(keys.record(id)), "HGET", keys.record(id), "status"), id);
        }
        // The chain's view is read from its partition: both steps done there, the second given the first's result.
        Poll.until(Duration.ofSeconds(10), "the chain to complete", () -> {
          try {
            return "completed".equals(api.get("/api/jobs/" + chain).json().getString("status"));
          } catch (Exception e) {
            return false;
          }
        });
        JsonObject done = api.get("/api/jobs/" + chain).json();
        assertEquals(2, done.getJsonArray("steps").size(), done.encode());
        assertEquals(chain + ".1", done.getJsonArray("steps").getJsonObject(1).getString("id"), done.encode());
        assertEquals(6, done.getJsonObject("result").getInteger("value"), "2 + 2 + the first step's 2: " + done.encode());

        // Progress of jobs running in three partitions at once: each written to its own partition's record.
        List<String> sleepers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          sleepers.add(submit(api, "{\"type\":\"sleep\",\"payload\":{\"seconds\":3,\"message\":\"slept\"},\"client\":\"spread\"}"));
        }
        assertEquals(3, sleepers.stream().map(partitions::ofJob).distinct().count(), "sleepers: " + sleepers);
        Set<String> reported = new HashSet<>();
        Poll.until(Duration.ofSeconds(15), "progress from each partition's sleeper", () -> {
          for (String id : sleepers) {
            try {
              if (api.get("/api/jobs/" + id).json().getJsonObject("progress") != null) {
                reported.add(id);
              }
            } catch (Exception e) {
              return false;
            }
          }
          return reported.size() == sleepers.size();
        });
        ids.addAll(sleepers);

        // A cacheable job goes where its payload's result is cached: the second is answered from the cache.
        String question = "{\"type\":\"sum\",\"payload\":{\"numbers\":[40,2]},\"client\":\"spread\"}";
        assertEquals("completed", api.get("/api/jobs/" + submit(api, question) + "?wait=10").json().getString("status"));
        Api.Reply cached = api.post("/api/jobs", question);
        assertTrue(cached.json().getBoolean("cached"), cached.body());

        // Jobs of a declared type spread too, and its external workers' fetches read every partition.
        assertEquals(200, api.put("/api/types/outside", "{\"type\":\"object\"}").status());
        List<String> outside = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          outside.add(submit(api, "{\"type\":\"outside\",\"payload\":{\"n\":" + i + "},\"client\":\"spread\"}"));
        }
        assertEquals(3, outside.stream().map(partitions::ofJob).distinct().count(), "declared type's jobs: " + outside);
        Set<String> fetched = new HashSet<>();
        for (int round = 0; round < 10 && fetched.size() < 3; round++) {
          for (Object o : api.post("/api/work/outside/fetch", "{\"max\":10,\"wait\":1}").json().getJsonArray("jobs")) {
            JsonObject job = (JsonObject) o;
            assertTrue(fetched.add(job.getString("id")), "fetched twice: " + job.encode());
            assertEquals(200, api.post("/api/work/" + job.getString("lease") + "/complete",
                "{\"result\":{\"done\":" + job.getJsonObject("payload").getInteger("n") + "}}").status());
          }
        }
        assertEquals(Set.copyOf(outside), fetched);
        for (String id : outside) {
          assertEquals("completed", api.get("/api/jobs/" + id).json().getString("status"), id);
        }
        // A waiting fetch sees a job that arrives in any partition while it waits (it waits on each in turn). Each fetch
        // starts at the next partition, and the jobs land in partitions 0, 2, 1, 0, 2, 1 (chosen by their keys): the
        // job arrives in every partition relative to the one the fetch waits on first.
        for (int i = 0; i < 6; i++) {
          int target = (2 * i) % 3;
          String key = null;
          for (int n = 0; key == null; n++) {
            key = partitions.ofKey("spread\nlate-" + run + "-" + i + "-" + n) == target ? "late-" + run + "-" + i + "-" + n : null;
          }
          java.util.concurrent.CompletableFuture<Api.Reply> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
              return api.post("/api/work/outside/fetch", "{\"max\":1,\"wait\":5}");
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          Thread.sleep(300);
          long sent = System.nanoTime();
          Api.Reply submitted = api.post("/api/jobs", "{\"type\":\"outside\",\"payload\":{\"n\":9},\"client\":\"spread\"}",
              "application/json", node.token(), "Idempotency-Key", key);
          assertEquals(202, submitted.status(), submitted.body());
          String late = submitted.json().getString("id");
          assertEquals(target, partitions.ofJob(late), late);
          JsonObject got = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS).json();
          long millis = (System.nanoTime() - sent) / 1_000_000;
          assertEquals(late, got.getJsonArray("jobs").getJsonObject(0).getString("id"), got.encode());
          assertTrue(millis < 2_000, "the waiting fetch saw the job of partition " + target + " after " + millis + " ms");
          System.out.println("RedisClusterIT: a waiting fetch got a job of partition " + target + " " + millis + " ms after it was sent");
          assertEquals(200, api.post("/api/work/" + got.getJsonArray("jobs").getJsonObject(0).getString("lease") + "/complete",
              "{\"result\":{}}").status());
          outside.add(late);
        }
        ids.addAll(outside);

        // Cancels, wherever the job is: delayed jobs in every partition, canceled before they are due.
        List<String> canceled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          String id = submit(api, "{\"type\":\"sum\",\"payload\":{\"numbers\":[" + (200 + i)
              + ",1]},\"client\":\"later\",\"delay\":30}");
          assertEquals(200, api.post("/api/jobs/" + id + "/cancel", null).status(), id);
          assertEquals("canceled", api.get("/api/jobs/" + id).json().getString("status"), id);
          canceled.add(id);
        }
        assertEquals(3, canceled.stream().map(partitions::ofJob).distinct().count(), "cancels: " + canceled);

        // The console lists them all, from every partition, newest first, page by page.
        Set<String> listed = new HashSet<>();
        String cursor = null;
        for (int page = 0; page < 20; page++) {
          JsonObject answer = api.get("/api/jobs?client=spread&limit=7" + (cursor == null ? "" : "&cursor=" + cursor)).json();
          answer.getJsonArray("jobs").forEach(j -> assertTrue(listed.add(((JsonObject) j).getString("id")), "listed twice: " + j));
          cursor = answer.getString("cursor");
          if (cursor == null) {
            break;
          }
        }
        assertTrue(listed.containsAll(ids), "the console misses jobs: " + ids.stream().filter(id -> !listed.contains(id)).toList());
        assertEquals(0, node.stop(), node.stderrText());
      }
    }
  }

  private static String submit(Api api, String job) throws Exception {
    Api.Reply reply = api.post("/api/jobs", job);
    assertEquals(202, reply.status(), reply.body());
    return reply.json().getString("id");
  }
}
