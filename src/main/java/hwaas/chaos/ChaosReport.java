package hwaas.chaos;

import hwaas.support.AuditReport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a chaos run found: each fault with the throughput before it, how low it fell and its time to recover; at the
 * end, with the audit's counts and how the run ended, the table and the one-line summary.
 */
final class ChaosReport {
  /**
   * One fault's result: lines/s in the 5 s before it, the lowest 1 s rate from its start to its recovery, its
   * recovery time (empty: not within the cap), and whether its effect was seen ({@link Faults.Healed#seen}).
   */
  record Outcome(Fault fault, double before, double lowest, Optional<Duration> recovery, boolean seen) {
    /** The lowest rate as a share of the rate before, in percent. */
    long lowestPercent() {
      return before > 0 ? Math.round(100 * lowest / before) : 100;
    }
  }

  private final List<Outcome> outcomes = new ArrayList<>();

  synchronized void add(Outcome outcome) {
    outcomes.add(outcome);
  }

  synchronized int faults() {
    return outcomes.size();
  }

  /** Faults played, per kind (kinds never played are absent). */
  synchronized Map<FaultKind, List<Outcome>> byKind() {
    Map<FaultKind, List<Outcome>> byKind = new EnumMap<>(FaultKind.class);
    for (Outcome outcome : outcomes) {
      byKind.computeIfAbsent(outcome.fault().kind(), k -> new ArrayList<>()).add(outcome);
    }
    return byKind;
  }

  /** The table printed at the end; {@link #summary} is its last line. */
  String table(AuditReport audit, ChaosRig.Ending ending) {
    Map<FaultKind, List<Outcome>> byKind = byKind();
    StringBuilder table = new StringBuilder();
    String format = "%-52s %5s  %5s  %15s  %16s  %10s%n";
    table.append(String.format(Locale.ROOT, format, "fault", "count", "seen", "median recovery", "max recovery",
        "lowest 1 s"));
    for (FaultKind kind : FaultKind.values()) {
      List<Outcome> played = byKind.getOrDefault(kind, List.of());
      List<Optional<Duration>> recoveries = played.stream().map(Outcome::recovery)
          .sorted(Comparator.comparing(r -> r.map(Duration::toNanos).orElse(Long.MAX_VALUE))).toList();
      String lowest = played.stream().mapToLong(Outcome::lowestPercent).min().stream()
          .mapToObj(percent -> percent + " %").findFirst().orElse("-");
      long seen = played.stream().filter(Outcome::seen).count();
      table.append(String.format(Locale.ROOT, format, kind.label(), recoveries.size(), played.isEmpty() ? "-" : seen,
          median(recoveries), recoveries.isEmpty() ? "-" : show(recoveries.get(recoveries.size() - 1)), lowest));
    }
    table.append("seen: faults whose effect was observed from outside (the process gone, nothing printed while stopped,\n"
        + "  connections cut, the cluster split and whole again, the pipe full, the node stopped, writes refused)\n");
    long percent = Math.round((1 - RecoveryMeter.TOLERANCE) * 100);
    table.append("recovery: from the fault's end to the start of the first 1 s window with at least ").append(percent)
        .append(" % of the lines/s before it\n  (before: the median 1 s of the 5 s before the fault); lowest 1 s: the lowest lines/s")
        .append(" of a 1 s window\n  from the fault's start to its recovery, as a share of before\n\n");
    row(table, "submitted", audit.submitted(), "jobs confirmed to their clients");
    row(table, "printed", audit.printed(), "distinct job ids in the audit files");
    row(table, "lost", audit.lost(), "confirmed, never printed");
    row(table, "duplicates", audit.duplicates(), "printed again (at-least-once: after a kill, a stop, a cut)");
    row(table, "unconfirmed", audit.unconfirmed(), "printed, though the client never saw its confirmation");
    row(table, "dead letters", ending.dead(), "jobs that used up their attempts");
    row(table, "left in stream", ending.left(), "entries not drained at the end");
    table.append(String.format(Locale.ROOT, "%-16s %s%n", "errors logged", ending.errorsLogged().entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")) + "  (lines at ERROR in the nodes' logs)"));
    List<String> exits = ending.unexpectedExits();
    table.append(String.format(Locale.ROOT, "%-16s %s%n", "exits unasked", exits.isEmpty() ? "none" : String.join(", ", exits)));
    table.append(summary(audit));
    return table.toString();
  }

  String summary(AuditReport audit) {
    return "chaos: faults=" + faults() + " submitted=" + audit.submitted() + " printed=" + audit.printed() + " lost="
        + audit.lost() + " duplicates=" + audit.duplicates();
  }

  private static void row(StringBuilder table, String name, long value, String meaning) {
    table.append(String.format(Locale.ROOT, "%-16s %10d  %s%n", name, value, meaning));
  }

  /** Sorted, with "not within the cap" last. */
  private static String median(List<Optional<Duration>> sorted) {
    int n = sorted.size();
    if (n == 0) {
      return "-";
    }
    if (n % 2 == 1) {
      return show(sorted.get(n / 2));
    }
    Optional<Duration> low = sorted.get(n / 2 - 1);
    Optional<Duration> high = sorted.get(n / 2);
    return low.isPresent() && high.isPresent() ? show(Optional.of(low.get().plus(high.get()).dividedBy(2))) : show(Optional.empty());
  }

  private static String show(Optional<Duration> recovery) {
    return recovery.map(Fault::seconds).orElse("not within " + RecoveryMeter.CAP.toSeconds() + " s");
  }
}
