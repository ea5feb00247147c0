package hwaas.chaos;

import java.time.Duration;

/**
 * One planned fault: its number in the run, its kind, the node it hits ({@code null} for Redis itself), the other node
 * of a cut between two nodes ({@code null} for the other kinds) and how long it is held before it is healed.
 */
record Fault(int number, FaultKind kind, NodeRunner target, NodeRunner peer, Duration hold) {
  String describe() {
    String what = switch (kind) {
      case KILL_WORKER, KILL_CLIENT -> "kill -9 " + target + " (pid " + target.pid() + "), down " + seconds(hold);
      case KILL_REDIS -> "kill -9 redis, down " + seconds(hold);
      case STOP_WORKER -> "SIGSTOP " + target + " (pid " + target.pid() + ") for " + seconds(hold);
      case CUT_REDIS -> "cut " + target + " <-> redis for " + seconds(hold);
      case CUT_NODES -> "cut " + target + " <-> " + peer + " (cluster and event bus) for " + seconds(hold)
          + ", and until the cluster splits";
      case SLOW_OUTPUT -> "slow stdout of " + target + " (" + OutputReader.SLOW_CHUNK * 1000 / OutputReader.SLOW_PAUSE_MILLIS / 1024
          + " KiB/s) for " + seconds(hold);
      case CLOSED_OUTPUT -> "close stdout of " + target + " (pid " + target.pid() + ")";
      case REDIS_FULL -> "redis maxmemory = used_memory for " + seconds(hold);
    };
    return "fault " + number + ": " + what;
  }

  static String seconds(Duration duration) {
    return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }
}
