package hwaas.cli;

import hwaas.support.ConfigException;
import hwaas.queue.DeadBulk;
import hwaas.queue.DeadLetters;
import hwaas.queue.PartitionCount;
import hwaas.queue.PartitionedDeadLetters;
import hwaas.queue.QueueSettings;
import hwaas.redis.ClusterAddress;
import hwaas.redis.RedisAccess;
import hwaas.redis.RedisSettings;
import hwaas.redis.RedisStartException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code ./hwaas dead list|requeue}: the jobs that used up their attempts, and putting them back. */
@Command(name = "dead", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Lists the dead-letter stream (jobs that failed --max-attempts times, with their last error) or puts "
        + "jobs back in the work stream. Uses --redis (or HWAAS_REDIS); otherwise the Redis of the node running on "
        + "--data-dir, or, when none runs, starts the embedded Redis on that data directory for the duration of the command.",
    footer = {"Examples:", "  ./hwaas dead list", "  ./hwaas dead requeue 1795441023234-0 abc123-c0:7", "  ./hwaas dead requeue --all"})
public final class DeadCommand implements Callable<Integer> {
  private static final DeadBulk.Filter ANY = new DeadBulk.Filter("", "", "");

  @Parameters(index = "0", paramLabel = "ACTION", description = "list or requeue")
  String action;

  @Parameters(index = "1..*", paramLabel = "ID", description = "For requeue: dead-letter entry ids or job ids.")
  List<String> ids = List.of();

  @Option(names = "--all", description = "For requeue: every dead job.")
  boolean all;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "For list: dead jobs per page (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--after", paramLabel = "DEAD_ID", description = "For list: the page after this dead-letter id (the end of the previous page).")
  String after;

  @Option(names = "--redis", paramLabel = "URL", defaultValue = "${env:HWAAS_REDIS}", description = "Redis to use (default: $HWAAS_REDIS).")
  String redis;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory of the embedded Redis (default: ~/.hwaas/data).")
  Path dataDir;

  @Override
  public Integer call() {
    return run(System.out);
  }

  int run(PrintStream out) {
    if (!action.equals("list") && !action.equals("requeue")) {
      throw new ConfigException("ACTION must be list or requeue, got '" + action + "'");
    }
    boolean idsGiven = !ids.isEmpty();
    if (action.equals("requeue") && idsGiven == all) {
      throw new ConfigException("requeue takes either ids or --all");
    }
    if (action.equals("list") && (idsGiven || all)) {
      throw new ConfigException("list takes no ids and no --all");
    }
    if (limit < 1 || limit > 10_000) {
      throw new ConfigException("--limit must be between 1 and 10000, got " + limit);
    }
    if (after != null && !PartitionedDeadLetters.ID.matcher(after).matches()) {
      throw new ConfigException("--after must be a dead-letter id such as 1795441023234-0 (or 1795441023234-0.2 on a "
          + "partition), got '" + after + "'");
    }
    RedisAccess access = RedisAccess.open(redis, dataDir != null ? dataDir : RedisSettings.defaultDataDir());
    URI url = access.url();
    Vertx vertx = Vertx.vertx();
    try {
      Redis client = Redis.createClient(vertx, RedisSettings.defaults().withUrl(url).options());
      QueueSettings queue = QueueSettings.defaults().onRedisCluster(ClusterAddress.isCluster(url));
      if (ClusterAddress.isCluster(url)) {
        queue = queue.withPartitions(PartitionCount.kept(client, queue.keys()).await(10, TimeUnit.SECONDS));
      }
      PartitionedDeadLetters dead = new PartitionedDeadLetters(client, queue.partitionKeys(), queue.recordTtl());
      if (action.equals("list")) {
        DeadLetters.Page page = dead.list(ANY, after, limit).await(10, TimeUnit.SECONDS);
        print(out, page.letters());
        if (page.next() != null) {
          out.println("more: ./hwaas dead list --after " + page.next());
        }
        return 0;
      }
      int requeued = 0;
      // A page at a time, never the whole stream in memory; requeued letters leave it, the others are paged past.
      String from = null;
      for (DeadLetters.Page page = dead.list(ANY, null, 1000).await(10, TimeUnit.SECONDS); ;
           page = dead.list(ANY, from, 1000).await(10, TimeUnit.SECONDS)) {
        for (JsonObject letter : page.letters()) {
          String jobId = letter.getJsonObject("job", new JsonObject()).getString("id", "");
          if ((all || ids.contains(letter.getString("deadId")) || ids.contains(jobId)) && letter.containsKey("job")) {
            String entry = dead.requeue(letter.getString("deadId")).await(10, TimeUnit.SECONDS);
            if (entry != null) {
              out.println("requeued " + jobId + " as entry " + entry);
              requeued++;
            }
          }
          from = letter.getString("deadId");
        }
        if (page.next() == null) {
          break;
        }
      }
      out.println(requeued + " job(s) requeued");
      return requeued > 0 || all ? 0 : 1;
    } catch (Exception e) {
      throw new RedisStartException("cannot read the dead letters at " + RedisSettings.redact(url) + ": " + e.getMessage(), e);
    } finally {
      vertx.close().await();
      access.close();
    }
  }

  private static void print(PrintStream out, List<JsonObject> letters) {
    out.printf("%-20s %-24s %-8s %-24s %s%n", "DEAD ID", "JOB", "ATTEMPTS", "FAILED AT", "LAST ERROR");
    for (JsonObject l : letters) {
      String failedAt = l.getString("failedAt") == null ? "?" : Instant.ofEpochMilli(Long.parseLong(l.getString("failedAt"))).toString();
      out.printf("%-20s %-24s %-8s %-24s %s%n", l.getString("deadId"), l.getJsonObject("job", new JsonObject()).getString("id", "?"),
          l.getString("attempts"), failedAt, l.getString("error"));
    }
    out.println(letters.size() + " dead job(s)");
  }
}
