package hwaas.bench;

import hwaas.redis.LocalRedisCluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sustained row again on a Redis Cluster of 1 and of 3 primaries, and of 3 with a replica each and
 * {@code --redis-replicas 1} (each a process from the embedded binary, with its append-only file); and the REST batch
 * row on 1 and 3 primaries. The clients' jobs and the API's spread over one partition per primary
 * (docs/redis-cluster.md); each share line shows how a row's work fell over the primaries: the commands each served
 * during the row, and the keys it holds.
 */
final class ClusterBench {
  private static final Pattern COMMANDS = Pattern.compile("total_commands_processed:(\\d+)");

  private ClusterBench() {
  }

  static List<BenchResult> rows(InProcessBench bench, Path scratch, int seconds, int rounds, BenchResult ceiling, PrintStream out)
      throws Exception {
    List<BenchResult> rows = new ArrayList<>();
    // {primaries, replicas of each}: with replicas, every submission waits for one of them (--redis-replicas 1).
    for (int[] shape : new int[][] {{1, 0}, {3, 0}, {3, 1}}) {
      int primaries = shape[0];
      int replicas = shape[1];
      try (LocalRedisCluster cluster = LocalRedisCluster.start(scratch.resolve("redis-cluster-" + primaries + "-" + replicas),
          primaries, replicas)) {
        URI url = cluster.url();
        String named = ", Redis Cluster of " + primaries + (primaries == 1 ? " primary" : " primaries")
            + (replicas == 0 ? "" : ", a replica each, --redis-replicas " + replicas);
        Map<Integer, Long> before = commands(cluster);
        BenchResult row = bench.sustained(seconds, rounds,
            s -> s.withRedis(s.redis().withUrl(url)).withQueue(s.queue().withRedisReplicas(replicas)), named);
        rows.add(row.relativeTo(ceiling));
        printShares(cluster, before, "sustained", primaries, replicas, rounds, out);
        if (replicas == 0) {
          // API jobs, with their records and indexes, spread over the partitions as the clients' jobs do.
          before = commands(cluster);
          rows.addAll(bench.restBatches(seconds, rounds, s -> s.withRedis(s.redis().withUrl(url)), named));
          printShares(cluster, before, "REST batches", primaries, replicas, rounds, out);
        }
      }
    }
    return rows;
  }

  /** How a row's work fell over the primaries: the commands each served since {@code before}, and the keys it holds. */
  private static void printShares(LocalRedisCluster cluster, Map<Integer, Long> before, String row, int primaries,
                                  int replicas, int rounds, PrintStream out) throws IOException {
    Map<Integer, Long> after = commands(cluster);
    long all = 0;
    for (int port : cluster.ports()) {
      all += after.get(port) - before.get(port);
    }
    List<String> shares = new ArrayList<>();
    for (int port : cluster.ports()) {
      long served = after.get(port) - before.get(port);
      shares.add(String.format(Locale.ROOT, "%d: %,d commands (%.0f %%), %s keys", port, served,
          all == 0 ? 0.0 : 100.0 * served / all, cluster.ask(port, "DBSIZE")));
    }
    out.printf(Locale.ROOT, "Redis Cluster of %d%s, %s: per primary over %d round(s): %s%n", primaries,
        replicas == 0 ? "" : " with replicas", row, rounds, String.join("; ", shares));
  }

  private static Map<Integer, Long> commands(LocalRedisCluster cluster) throws IOException {
    Map<Integer, Long> served = new LinkedHashMap<>();
    for (int port : cluster.ports()) {
      Matcher m = COMMANDS.matcher(String.valueOf(cluster.ask(port, "INFO", "stats")));
      served.put(port, m.find() ? Long.parseLong(m.group(1)) : 0L);
    }
    return served;
  }
}
