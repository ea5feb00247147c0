package hwaas.chaos;

import hwaas.support.ConfigException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The faults the chaos command plays, each with how long it may last (a random time in {@code [minSeconds,
 * maxSeconds]}): how long a killed process stays down, a node stays stopped, a link stays cut, a reader stays slow,
 * Redis stays full. A closed output lasts until the node has stopped by itself.
 */
enum FaultKind {
  KILL_WORKER("kill -9 of a worker node, restarted", 1, 3),
  KILL_CLIENT("kill -9 of the client node, restarted", 1, 3),
  KILL_REDIS("kill -9 of Redis, restarted on its data and port", 1, 3),
  /** Longer than the visibility timeout (2 s): the other node's workers claim what the frozen one held. */
  STOP_WORKER("SIGSTOP of a worker node, then SIGCONT", 3, 6),
  CUT_REDIS("network cut between a node and Redis", 2, 5),
  /**
   * Longer than the rig's Hazelcast heartbeat timeout (3 s), and held at least until the cluster split; the cluster
   * must be whole again after it.
   */
  CUT_NODES("network cut between two nodes", 4, 7),
  SLOW_OUTPUT("slow standard output of a worker node", 3, 6),
  CLOSED_OUTPUT("closed standard output of a worker node, restarted", 0, 0),
  REDIS_FULL("Redis at its memory limit", 2, 5);

  private final String label;
  private final int minSeconds;
  private final int maxSeconds;

  FaultKind(String label, int minSeconds, int maxSeconds) {
    this.label = label;
    this.minSeconds = minSeconds;
    this.maxSeconds = maxSeconds;
  }

  String label() {
    return label;
  }

  /** The name on the command line: {@code KILL_WORKER} is {@code kill-worker}. */
  String option() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The kind named {@code name} ({@code kill-worker}, {@code KILL_WORKER}, ...); a bad name lists the kinds. */
  static FaultKind parse(String name) {
    String wanted = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (FaultKind kind : values()) {
      if (kind.name().equals(wanted)) {
        return kind;
      }
    }
    throw new ConfigException("--faults: unknown kind '" + name.trim() + "'; the kinds are "
        + Arrays.stream(values()).map(FaultKind::option).collect(Collectors.joining(", ")));
  }

  int minSeconds() {
    return minSeconds;
  }

  int maxSeconds() {
    return maxSeconds;
  }
}
