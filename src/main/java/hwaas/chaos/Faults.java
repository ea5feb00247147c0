package hwaas.chaos;

import hwaas.redis.RedisAdmin;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * Plans faults from the seed and plays them on the rig, one at a time: inject, hold, heal. Kinds come from a shuffled
 * bag (every kind once, in a random order, then again), so even a short run covers many kinds; targets and durations
 * are drawn from the same {@link Random}. The same seed gives the same faults in the same order (when each happens
 * depends on how quickly the previous one was recovered from).
 */
final class Faults {
  private final ChaosRig rig;
  private final Random random;
  private final Deque<FaultKind> bag = new ArrayDeque<>();

  Faults(ChaosRig rig, Random random) {
    this.rig = rig;
    this.random = random;
  }

  /** What a fault's heal did, and when it ended ({@link System#nanoTime()}): recovery is measured from there. */
  record Healed(long atNanos, String what) {
  }

  Fault plan(int number) {
    if (bag.isEmpty()) {
      List<FaultKind> all = new ArrayList<>(List.of(FaultKind.values()));
      Collections.shuffle(all, random);
      bag.addAll(all);
    }
    FaultKind kind = bag.poll();
    NodeRunner target = switch (kind) {
      case KILL_WORKER, STOP_WORKER, SLOW_OUTPUT, CLOSED_OUTPUT -> pick(rig.workers());
      case KILL_CLIENT -> rig.client();
      case CUT_REDIS -> pick(rig.nodes());
      case KILL_REDIS, REDIS_FULL -> null;
    };
    int spread = (kind.maxSeconds() - kind.minSeconds()) * 1000;
    Duration hold = Duration.ofMillis(kind.minSeconds() * 1000L + (spread == 0 ? 0 : random.nextInt(spread + 1)));
    return new Fault(number, kind, target, hold);
  }

  private NodeRunner pick(List<NodeRunner> nodes) {
    return nodes.get(random.nextInt(nodes.size()));
  }

  /** Injects the fault, holds it, heals it. */
  Healed apply(Fault fault) throws IOException, InterruptedException {
    NodeRunner target = fault.target();
    switch (fault.kind()) {
      case KILL_WORKER, KILL_CLIENT -> {
        target.kill9();
        Thread.sleep(fault.hold().toMillis());
        target.start();
        return healed(target + " started again (pid " + target.pid() + ")");
      }
      case KILL_REDIS -> {
        rig.killRedis();
        Thread.sleep(fault.hold().toMillis());
        // The fault ends when the restart begins: loading the append-only file is part of the recovery.
        long restartAt = System.nanoTime();
        rig.restartRedis();
        return new Healed(restartAt, "redis started again (pid " + rig.redisPid() + ") on its data and port, answering after "
            + Fault.seconds(Duration.ofNanos(System.nanoTime() - restartAt)));
      }
      case STOP_WORKER -> {
        target.signal("STOP");
        Thread.sleep(fault.hold().toMillis());
        target.signal("CONT");
        return healed(target + " continued (SIGCONT)");
      }
      case CUT_REDIS -> {
        TcpProxy proxy = rig.proxy(target);
        int connections = proxy.connections();
        proxy.cut();
        Thread.sleep(fault.hold().toMillis());
        proxy.heal();
        return healed(target + " <-> redis healed (" + connections + " connections had been cut)");
      }
      case SLOW_OUTPUT -> {
        target.slowOutput(true);
        Thread.sleep(fault.hold().toMillis());
        target.slowOutput(false);
        return healed(target + "'s stdout read at full speed again");
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
        return healed(target + " " + how + "; started again (pid " + target.pid() + ")");
      }
      case REDIS_FULL -> {
        RedisAdmin admin = rig.admin();
        String limit = admin.configGet("maxmemory");
        long used = admin.usedMemory();
        admin.configSet("maxmemory", Long.toString(used));
        try {
          Thread.sleep(fault.hold().toMillis());
        } finally {
          admin.configSet("maxmemory", limit);
        }
        return healed("redis maxmemory back from " + used + " to " + limit + " bytes");
      }
      default -> throw new IllegalStateException("unknown fault " + fault.kind());
    }
  }

  private static Healed healed(String what) {
    return new Healed(System.nanoTime(), what);
  }
}
