package hwaas.chaos;

import hwaas.redis.RedisAdmin;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Plans faults from the seed and plays them on the rig, one at a time: inject, hold, heal. Kinds come from a shuffled
 * bag of the kinds asked for (every kind once, in a random order, then again), so even a short run covers many kinds;
 * targets and durations are drawn from the same {@link Random}. The same seed gives the same faults in the same order
 * (when each happens depends on how quickly the previous one was recovered from). Each fault also reports whether its
 * effect was seen from outside (the process gone, the pipe full, the cluster split, Redis refusing writes), so a fault
 * that silently did nothing is not counted as survived.
 */
final class Faults {
  /** How long a cut between two nodes may take to be mended: Hazelcast's split-brain merge, every 5 s here. */
  static final Duration VIEW_WHOLE_WITHIN = Duration.ofSeconds(60);
  /** How long a cut between two nodes may take to split the cluster (heartbeat timeout 3 s, then the member's removal). */
  static final Duration SPLIT_WITHIN = Duration.ofSeconds(15);
  /** Steady running between a fault's recovery and the next fault: at least the 5 s the next baseline is taken from. */
  static final int MIN_PAUSE_MILLIS = 6_000;
  static final int PAUSE_SPREAD_MILLIS = 5_000;
  private final ChaosRig rig;
  private final Random random;
  private final List<FaultKind> kinds;
  private final Deque<FaultKind> bag = new ArrayDeque<>();

  Faults(ChaosRig rig, Random random, Set<FaultKind> kinds) {
    this.rig = rig;
    this.random = random;
    this.kinds = List.copyOf(kinds);
  }

  /**
   * What a fault's heal did, when it ended ({@link System#nanoTime()}: recovery is measured from there), and whether
   * its effect was seen.
   */
  record Healed(long atNanos, String what, boolean seen) {
  }

  /** The steady running before the next fault. */
  Duration pause() {
    return Duration.ofMillis(MIN_PAUSE_MILLIS + random.nextInt(PAUSE_SPREAD_MILLIS + 1));
  }

  Fault plan(int number) {
    if (bag.isEmpty()) {
      List<FaultKind> all = new ArrayList<>(kinds);
      Collections.shuffle(all, random);
      bag.addAll(all);
    }
    FaultKind kind = bag.poll();
    NodeRunner target = switch (kind) {
      case KILL_WORKER, STOP_WORKER, SLOW_OUTPUT, CLOSED_OUTPUT -> pick(rig.workers());
      case KILL_CLIENT -> rig.client();
      case CUT_REDIS, CUT_NODES -> pick(rig.nodes());
      case KILL_REDIS, REDIS_FULL -> null;
    };
    NodeRunner peer = null;
    if (kind == FaultKind.CUT_NODES) {
      List<NodeRunner> others = new ArrayList<>(rig.nodes());
      others.remove(target);
      peer = pick(others);
    }
    int spread = (kind.maxSeconds() - kind.minSeconds()) * 1000;
    Duration hold = Duration.ofMillis(kind.minSeconds() * 1000L + (spread == 0 ? 0 : random.nextInt(spread + 1)));
    return new Fault(number, kind, target, peer, hold);
  }

  private NodeRunner pick(List<NodeRunner> nodes) {
    return nodes.get(random.nextInt(nodes.size()));
  }

  /** Injects the fault, holds it, heals it. */
  Healed apply(Fault fault) throws IOException, InterruptedException {
    NodeRunner target = fault.target();
    switch (fault.kind()) {
      case KILL_WORKER, KILL_CLIENT -> {
        long pid = target.pid();
        boolean gone = target.kill9();
        Thread.sleep(fault.hold().toMillis());
        target.start();
        return healed(target + " started again (pid " + target.pid() + ")", gone && target.pid() != pid);
      }
      case KILL_REDIS -> {
        long pid = rig.killRedis();
        boolean gone = ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        Thread.sleep(fault.hold().toMillis());
        // The fault ends when the restart begins: loading the append-only file is part of the recovery.
        long restartAt = System.nanoTime();
        rig.restartRedis();
        return new Healed(restartAt, "redis started again (pid " + rig.redisPid() + ") on its data and port, answering after "
            + Fault.seconds(Duration.ofNanos(System.nanoTime() - restartAt)), gone);
      }
      case STOP_WORKER -> {
        target.signal("STOP");
        // What it printed before the stop is read from the pipe within a moment; after that, nothing may come.
        Thread.sleep(1_000);
        long linesStopped = target.lines();
        Thread.sleep(Math.max(0, fault.hold().toMillis() - 1_000));
        long printedWhileStopped = target.lines() - linesStopped;
        target.signal("CONT");
        return healed(target + " continued (SIGCONT); it printed " + printedWhileStopped + " lines while stopped",
            printedWhileStopped == 0);
      }
      case CUT_REDIS -> {
        TcpProxy proxy = rig.proxy(target);
        int connections = proxy.connections();
        proxy.cut();
        Thread.sleep(fault.hold().toMillis());
        proxy.heal();
        return healed(target + " <-> redis healed (" + connections + " connections had been cut)", connections > 0);
      }
      case CUT_NODES -> {
        return cutNodes(fault);
      }
      case SLOW_OUTPUT -> {
        long[] before = target.slowReads();
        target.slowOutput(true);
        Thread.sleep(fault.hold().toMillis());
        target.slowOutput(false);
        long[] after = target.slowReads();
        long reads = after[0] - before[0];
        long full = after[1] - before[1];
        return healed(target + "'s stdout read at full speed again; " + full + " of " + reads
            + " slow reads found more output waiting", reads > 0 && full >= 0.9 * reads);
      }
      case CLOSED_OUTPUT -> {
        long closedAt = System.nanoTime();
        target.closeOutput();
        // By design the node stops by itself once a write to its output fails, giving back what it had read.
        Integer status = target.awaitExit(Duration.ofSeconds(30));
        String how;
        if (status == null) {
          target.kill9();
          how = "did not stop within 30 s, killed";
        } else {
          how = "stopped by itself in " + Fault.seconds(Duration.ofNanos(System.nanoTime() - closedAt)) + ", exit status " + status;
        }
        target.start();
        return healed(target + " " + how + "; started again (pid " + target.pid() + ")", status != null);
      }
      case REDIS_FULL -> {
        RedisAdmin admin = rig.admin();
        String limit = admin.configGet("maxmemory");
        long used = admin.usedMemory();
        long refusedBefore = refusedForMemory(admin);
        admin.configSet("maxmemory", Long.toString(used));
        long refused;
        try {
          Thread.sleep(fault.hold().toMillis());
        } finally {
          admin.configSet("maxmemory", limit);
          refused = refusedForMemory(admin) - refusedBefore;
        }
        return healed("redis maxmemory back from " + used + " to " + limit + " bytes; it refused " + refused
            + " commands for memory meanwhile", refused > 0);
      }
      default -> throw new IllegalStateException("unknown fault " + fault.kind());
    }
  }

  /**
   * Cuts the cluster and event-bus links between two nodes both ways, holds the cut for its time and at least until
   * the cluster split (one of the two stopped listing the other; at most {@link #SPLIT_WITHIN}), heals it, then waits
   * for every node to list all of them again (Hazelcast's split-brain merge). Seen: the split, and the cluster whole
   * again within {@link #VIEW_WHOLE_WITHIN}.
   */
  private Healed cutNodes(Fault fault) throws IOException, InterruptedException {
    NodeRunner a = fault.target();
    NodeRunner b = fault.peer();
    ClusterViews views = rig.views();
    long cutAt = System.nanoTime();
    int connections = rig.cutBetween(a, b);
    // Held until the cluster has split, at least: a shorter cut only makes Hazelcast reconnect, and tests nothing.
    Optional<Duration> split = views.awaitSplit(a, b, SPLIT_WITHIN);
    Thread.sleep(Math.max(0, fault.hold().toMillis() - (System.nanoTime() - cutAt) / 1_000_000));
    rig.healBetween(a, b);
    long healedAt = System.nanoTime();
    Optional<Duration> whole = views.awaitWhole(rig.nodes(), VIEW_WHOLE_WITHIN);
    return new Healed(healedAt, a + " <-> " + b + " healed (" + connections + " connections had been cut); "
        + split.map(d -> "the cluster split " + Fault.seconds(d) + " into the cut").orElse("no split seen during the cut")
        + "; " + (whole.isPresent() ? "every node listed all three again " + Fault.seconds(whole.get()) + " after the heal"
        : "the nodes did not all list each other again within " + VIEW_WHOLE_WITHIN.toSeconds() + " s ("
        + views.describe(rig.nodes()) + ")"),
        split.isPresent() && whole.isPresent());
  }

  /** Commands Redis refused for memory so far ({@code errorstat_OOM} of {@code INFO errorstats}). */
  private static long refusedForMemory(RedisAdmin admin) throws IOException {
    String info = (String) admin.command("INFO", "errorstats");
    return info.lines().filter(l -> l.startsWith("errorstat_OOM:count=")).findFirst()
        .map(l -> Long.parseLong(l.substring("errorstat_OOM:count=".length()).split(",")[0].trim())).orElse(0L);
  }

  private static Healed healed(String what, boolean seen) {
    return new Healed(System.nanoTime(), what, seen);
  }
}
