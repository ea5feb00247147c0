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
        assertTrue(node.stderrText().contains("clients' jobs spread over 3 partitions"), node.stderrText());
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

  private static String submit(Api api, String job) throws Exception {
    Api.Reply reply = api.post("/api/jobs", job);
    assertEquals(202, reply.status(), reply.body());
    return reply.json().getString("id");
  }
}
