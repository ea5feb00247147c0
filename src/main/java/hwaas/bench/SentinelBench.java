package hwaas.bench;

import hwaas.redis.LocalSentinels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sustained row again on a Redis behind sentinels (a primary, one replica, three sentinels, all on this machine,
 * each server with the embedded one's append-only file), without and with {@code --redis-replicas 1}: what following
 * a failover and confirming on a replica cost, beside the single Redis's row.
 */
final class SentinelBench {
  private SentinelBench() {
  }

  static List<BenchResult> rows(InProcessBench bench, Path scratch, int seconds, int rounds, BenchResult ceiling) throws Exception {
    List<BenchResult> rows = new ArrayList<>();
    try (LocalSentinels sentinels = LocalSentinels.start(scratch.resolve("sentinels"), 1, 5_000)) {
      for (int replicas : new int[] {0, 1}) {
        int confirmedBy = replicas;
        BenchResult row = bench.sustained(seconds, rounds,
            s -> s.withRedis(s.redis().withUrl(sentinels.url())).withQueue(s.queue().withRedisReplicas(confirmedBy)),
            ", Sentinel, --redis-replicas " + replicas);
        rows.add(row.relativeTo(ceiling));
      }
    }
    return rows;
  }
}
