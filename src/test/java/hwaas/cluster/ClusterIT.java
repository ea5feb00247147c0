package hwaas.cluster;

import hwaas.cli.AuditCommand;
import hwaas.testing.Api;
import hwaas.testing.NodeProcess;
import hwaas.testing.Poll;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nodes as separate processes on loopback: forming one cluster, sharing the work, losing a member. */
class ClusterIT {
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Path dir = Path.of("target", "cluster", run);
  private final String name = "cluster-it-" + run;

  @Test
  @DisplayName("two, then three nodes form one cluster on the first node's Redis and share the work; "
      + "a member killed with -9 leaves the view and no job is lost")
  void joinShareAndLoseAMember() throws Exception {
    try (NodeProcess first = start("first", "1", "10", "--rate", "20", "--data-dir", dir.resolve("data").toString(),
             "--visibility-timeout", "2", "--job-timeout", "1")) {
      first.awaitStarted();
      Api api = new Api(first.httpPort(), first.token());
      try (NodeProcess second = start("second", "1", "0", "--join", "--visibility-timeout", "2", "--job-timeout", "1");
           NodeProcess third = start("third", "1", "0", "--join", "--visibility-timeout", "2", "--job-timeout", "1")) {
        second.awaitStarted();
        third.awaitStarted();
        String redis = clusterOf(api).getString("redis");
        assertTrue(second.stderrText().contains(redis + " (the cluster's, learned on --join)"), second.stderrText());
        assertTrue(third.stderrText().contains(redis + " (the cluster's, learned on --join)"), third.stderrText());
        assertTrue(first.stderrText().contains("now use this node's embedded Redis"), "the Redis owner warns");
        Poll.until(Duration.ofSeconds(10), "three members in the view", () -> members(api) == 3);

        Poll.until(Duration.ofSeconds(20), "every node to print some jobs",
            () -> lines("first") > 0 && lines("second") > 0 && lines("third") > 0);
        third.kill9();
        Poll.until(Duration.ofSeconds(20), "the killed member to leave the view", () -> members(api) == 2);
        Thread.sleep(2_000);
        assertEquals(0, second.stop(), second.stderrText());
      }
      assertEquals(0, first.stop(), first.stderrText()); // clients first, then its workers drain the stream
    }
    hwaas.support.AuditReport report = AuditCommand.audit(List.of("first", "second", "third").stream()
        .map(n -> dir.resolve(n + ".audit")).toList());
    System.out.println("ClusterIT first+second+third: " + report.line());
    assertTrue(report.submitted() > 200, report.line());
    assertEquals(0, report.lost(), report.line() + " lost: " + report.lostIds());
  }

  @Test
  @DisplayName("a node with another cluster name does not join; --join with a name nobody uses fails with a clear "
      + "message, and so does --join with --partitions onto a single Redis")
  void otherClusterNameStaysApart() throws Exception {
    try (NodeProcess first = start("first", "0", "0", "--data-dir", dir.resolve("data").toString());
         NodeProcess stranger = NodeProcess.start(dir, "stranger", "0", "0", "--cluster-name", name + "-other",
             "--data-dir", dir.resolve("other-data").toString(), "--http-port", "0")) {
      first.awaitStarted();
      stranger.awaitStarted();
      Api api = new Api(first.httpPort(), first.token());
      Api strangerApi = new Api(stranger.httpPort(), stranger.token());
      Thread.sleep(1_000);
      assertEquals(1, members(api));
      assertEquals(1, members(strangerApi));

      NodeProcess lost = NodeProcess.start(dir, "lost", "1", "0", "--join", "--cluster-name", name + "-nobody", "--http-port", "0");
      assertEquals(1, lost.awaitExit(Duration.ofSeconds(60)), lost.stderrText());
      assertTrue(lost.stderrText().contains("--join found no running HWaaS node in cluster '" + name + "-nobody'"),
          lost.stderrText());

      // --partitions is for a Redis Cluster: a node that learns a single Redis on --join refuses it, and starts nothing.
      NodeProcess partitioned = start("partitioned", "1", "0", "--join", "--partitions", "2");
      assertEquals(2, partitioned.awaitExit(Duration.ofSeconds(60)), partitioned.stderrText());
      assertTrue(partitioned.stderrText().contains("--partitions spreads the streams over a Redis Cluster's primaries, "
          + "and the cluster's Redis, redis://"), partitioned.stderrText());
      Poll.until(Duration.ofSeconds(10), "the refused node to leave the view", () -> members(api) == 1);
      assertEquals(0, stranger.stop());
      assertEquals(0, first.stop());
    }
  }

  private NodeProcess start(String node, String... args) throws Exception {
    return NodeProcess.inCluster(dir, name, node, args);
  }

  private long lines(String node) {
    try {
      return Files.exists(dir.resolve(node + ".out")) ? Files.readAllLines(dir.resolve(node + ".out")).size() : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  private static JsonObject clusterOf(Api api) throws Exception {
    Api.Reply reply = api.get("/api/cluster");
    assertEquals(200, reply.status(), reply.body());
    return reply.json();
  }

  private static int members(Api api) {
    try {
      return clusterOf(api).getJsonArray("nodes").size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
