package hwaas.bench;

import hwaas.support.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./hwaas bench}: measures throughput, latency, start-up and memory on this machine, with medians of rounds. */
@Command(name = "bench", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Measures on this machine, in one run, and prints a table of medians: the raw Redis stream cycle "
        + "(the ceiling, inside Redis and from one client), the least Redis CPU an API job can cost (the floor), draining N print jobs with 1, 2 and 4 workers (and with one "
        + "job per stream entry, for comparison), sustained end-to-end throughput, latency at "
        + "10 workers and 1000 clients, the REST API under a load generator in the bench (single and batch submissions, reads, submit-then-wait), cancel across two nodes, start-up to the first printed line, and the memory of a node. Printed lines "
        + "go to a discarding output. Takes about 10 minutes with the defaults.",
    footer = "Example: ./hwaas bench --jobs 200000 --rounds 3")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--jobs", paramLabel = "N", defaultValue = "1000000", description = "Jobs per drain and ceiling round, and per floor round up to 100000 (default: ${DEFAULT-VALUE}).")
  int jobs;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Rounds per measurement; the table shows medians (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--workers", paramLabel = "W,...", split = ",", defaultValue = "1,2,4", description = "Worker counts for the drain (default: ${DEFAULT-VALUE}).")
  List<Integer> workers;

  @Option(names = "--sustained-seconds", paramLabel = "S", defaultValue = "20", description = "Length of each sustained round (default: ${DEFAULT-VALUE}).")
  int sustainedSeconds;

  @Option(names = "--latency-seconds", paramLabel = "S", defaultValue = "60", description = "Length of the latency round (default: ${DEFAULT-VALUE}).")
  int latencySeconds;

  @Option(names = "--rest-seconds", paramLabel = "S", defaultValue = "10",
      description = "Length of each REST round; the memory of a node process under REST load is measured over six times "
          + "that; below 10 the delayed-jobs, console paging and dead-letter rows use 10,000 jobs instead of 100,000 "
          + "and the schedule rows run 2 s per second of it (at least 4, at most 20); 0 skips the REST, delayed and schedule rows (default: ${DEFAULT-VALUE}).")
  int restSeconds;

  @Option(names = "--skip-sentinel", description = "Skip the sustained rows on a Redis behind sentinels (they start a primary, a replica and three sentinels).")
  boolean skipSentinel;

  @Option(names = "--skip-redis-cluster", description = "Skip the sustained rows on a Redis Cluster (they start clusters of 1 and of 3 primaries, and of 3 with a replica each).")
  boolean skipRedisCluster;

  @Option(names = "--cancel-samples", paramLabel = "N", defaultValue = "200",
      description = "Running jobs canceled one after another across two nodes for the cancel rows; 0 skips them (default: ${DEFAULT-VALUE}).")
  int cancelSamples;

  @Option(names = "--redis-server", paramLabel = "FILE",
      description = "Run this redis-server (7.0 or newer) for the bench's Redis and its node processes instead of the jar's, as a node's --redis-server does.")
  Path redisServer;

  @Option(names = "--skip-processes", description = "Skip the start-up and memory measurements (they start node processes).")
  boolean skipProcesses;

  /** The bench's parts, for {@code --only}: in the order they run. */
  enum Part { CEILING, FLOOR, DRAIN, SUSTAINED, SENTINEL, CLUSTER, LATENCY, DELAYED, SCHEDULES, REST, DEAD, EXTERNAL, CANCEL, PROCESSES }

  @Option(names = "--only", paramLabel = "PART,...", split = ",", converter = PartConverter.class,
      description = "Run only these parts (case does not matter), for a quick look at one figure: ceiling, floor, drain, "
          + "sustained, sentinel, cluster, latency, delayed, schedules, rest, dead, external, cancel, processes "
          + "(default: all, less what the --skip options and zero counts leave out).")
  List<Part> only;

  static final class PartConverter implements picocli.CommandLine.ITypeConverter<Part> {
    @Override
    public Part convert(String value) {
      try {
        return Part.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a part of the bench; the parts are "
            + java.util.Arrays.stream(Part.values()).map(p -> p.name().toLowerCase(java.util.Locale.ROOT)).toList());
      }
    }
  }

  private boolean runs(Part part) {
    return only == null || only.contains(part);
  }

  @Override
  public Integer call() throws Exception {
    return run(System.out);
  }

  int run(PrintStream out) throws Exception {
    if (jobs < 100 || rounds < 1 || sustainedSeconds < 1 || latencySeconds < 1 || restSeconds < 0 || cancelSamples < 0 || workers.stream().anyMatch(w -> w < 1)) {
      throw new ConfigException("--jobs must be at least 100, and --rounds, --workers and the seconds at least 1");
    }
    Path scratch = Files.createTempDirectory("hwaas-bench");
    List<BenchResult> results = new ArrayList<>();
    try (InProcessBench bench = InProcessBench.start(scratch, out, redisServer)) {
      // The ceiling is what the throughput rows are relative to: measured whenever one of them runs.
      BenchResult ceiling = null;
      if (runs(Part.CEILING) || runs(Part.DRAIN) || runs(Part.SUSTAINED) || runs(Part.SENTINEL) || runs(Part.CLUSTER)) {
        ceiling = bench.ceiling(jobs, rounds, false);
        results.add(ceiling);
      }
      if (runs(Part.CEILING)) {
        results.add(bench.ceiling(jobs, rounds, true).relativeTo(ceiling));
        results.add(bench.clientCycle(jobs, rounds).relativeTo(ceiling));
      }
      if (runs(Part.FLOOR)) {
        results.addAll(bench.floor(jobs, rounds));
      }
      if (runs(Part.DRAIN)) {
        for (int w : workers) {
          results.add(bench.drain(jobs, w, rounds, false).relativeTo(ceiling));
        }
        // Without coalescing, for comparison: what one stream entry per job costs.
        results.add(bench.drain(jobs, 2, rounds, true).relativeTo(ceiling));
      }
      if (runs(Part.SUSTAINED)) {
        results.add(bench.sustained(sustainedSeconds, rounds).relativeTo(ceiling));
      }
      if (!skipSentinel && runs(Part.SENTINEL)) {
        results.addAll(SentinelBench.rows(bench, scratch, sustainedSeconds, rounds, ceiling));
      }
      if (!skipRedisCluster && runs(Part.CLUSTER)) {
        results.addAll(ClusterBench.rows(bench, scratch, sustainedSeconds, rounds, ceiling, out));
      }
      if (runs(Part.LATENCY)) {
        results.addAll(bench.latency(latencySeconds));
      }
      if (restSeconds > 0) {
        // Scaled with --rest-seconds, so that a short bench stays short: the full figures at the default 10.
        if (runs(Part.DELAYED)) {
          results.addAll(bench.delayed(restSeconds >= 10 ? DelayedBench.JOBS : DelayedBench.JOBS / 10));
        }
        if (runs(Part.SCHEDULES)) {
          results.addAll(bench.schedules(Math.min(20, Math.max(4, restSeconds * 2))));
        }
        if (runs(Part.REST)) {
          results.addAll(bench.rest(restSeconds, rounds));
        }
        if (runs(Part.DEAD)) {
          results.addAll(bench.deadBulk(restSeconds >= 10 ? DeadBulkBench.JOBS : DeadBulkBench.JOBS / 10));
        }
        if (runs(Part.EXTERNAL)) {
          results.addAll(bench.external(rounds, restSeconds >= 10 ? ExternalBench.JOBS : ExternalBench.JOBS / 10));
        }
      }
      if (cancelSamples > 0 && runs(Part.CANCEL)) {
        results.addAll(bench.cancel(cancelSamples));
      }
    }
    if (!skipProcesses && runs(Part.PROCESSES)) {
      ProcessBench processes = new ProcessBench(scratch, out, redisServer);
      results.add(processes.startup(rounds));
      results.addAll(processes.memory());
      if (restSeconds > 0) {
        results.addAll(processes.restMemory(restSeconds * 6));
      }
    }
    out.println();
    out.println(BenchResult.table(results));
    return 0;
  }
}
