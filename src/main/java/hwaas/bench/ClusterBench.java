package hwaas.bench;

import hwaas.redis.LocalRedisCluster;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sustained row again on a Redis Cluster of 1 and of 3 primaries (each a process from the embedded binary, with
 * its append-only file), and how the keys fell over the primaries. A node's keys are all under one hash tag for now
 * (docs/redis-cluster.md), so one primary carries all of a round; the share line shows where they went.
 */
final class ClusterBench {
  private ClusterBench() {
  }

  static List<BenchResult> rows(InProcessBench bench, Path scratch, int seconds, int rounds, BenchResult ceiling, PrintStream out)
      throws Exception {
    List<BenchResult> rows = new ArrayList<>();
    for (int primaries : new int[] {1, 3}) {
      try (LocalRedisCluster cluster = LocalRedisCluster.start(scratch.resolve("redis-cluster-" + primaries), primaries)) {
        URI url = cluster.url();
        BenchResult row = bench.sustained(seconds, rounds, s -> s.withRedis(s.redis().withUrl(url)),
            ", Redis Cluster of " + primaries + (primaries == 1 ? " primary" : " primaries"));
        rows.add(row.relativeTo(ceiling));
        List<String> shares = new ArrayList<>();
        for (int port : cluster.ports()) {
          shares.add(port + ": " + cluster.ask(port, "DBSIZE") + " keys");
        }
        // Each round's node has a key prefix of its own, so a hash tag of its own: rounds may land on different primaries.
        out.printf(Locale.ROOT, "Redis Cluster of %d: keys per primary after %d round(s), each round's under one hash tag: %s%n",
            primaries, rounds, String.join(", ", shares));
      }
    }
    return rows;
  }
}
