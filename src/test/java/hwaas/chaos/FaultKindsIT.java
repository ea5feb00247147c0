package hwaas.chaos;

import hwaas.support.AuditReport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of fault on its own: {@code ./hwaas chaos --faults KIND --count 1} on real node processes, one fault after
 * the warm-up, then the drain and the audit of the nodes' files. Nothing confirmed may be lost; the fault must have
 * taken effect, seen from outside; throughput must come back; and a job may be printed twice only where a process that
 * held printed but unacknowledged jobs died or stalled, or could not reach Redis to acknowledge them.
 */
class FaultKindsIT {
  /**
   * The seed plays the same target and duration for each kind every time; with 14 the cut between two nodes is between
   * the client node and worker2, neither of them the master (the first worker node): the case Hazelcast leaves
   * unresolved by default.
   */
  private static final String SEED = "14";

  @ParameterizedTest(name = "{0}")
  @EnumSource(FaultKind.class)
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void playedAloneNothingLost(FaultKind kind) {
    Path dir = Path.of("target", "fault-kinds", kind.option() + "-" + UUID.randomUUID().toString().substring(0, 8));
    StringWriter text = new StringWriter();
    ChaosCommand command = new ChaosCommand();
    int status = new CommandLine(command).setOut(new PrintWriter(text, true)).setErr(new PrintWriter(text, true))
        .execute("--faults", kind.option(), "--count", "1", "--minutes", "2", "--seed", SEED, "--dir", dir.toString());
    String output = text.toString();
    System.out.println(output);

    assertEquals(0, status, output);
    ChaosReport report = command.report();
    assertEquals(List.of(kind), List.copyOf(report.byKind().keySet()), output);
    ChaosReport.Outcome outcome = report.byKind().get(kind).get(0);
    assertTrue(outcome.seen(), "the fault took effect, seen from outside: " + output);
    // The target: throughput within 10 % of before in under 10 s of the fault's end.
    assertTrue(outcome.recovery().filter(r -> r.compareTo(Duration.ofSeconds(10)) < 0).isPresent(),
        "throughput back within 10 s: " + output);

    AuditReport audit = command.audit();
    assertTrue(audit.submitted() > 2_000, "submitted: " + audit.line());
    assertEquals(0, audit.lost(), audit.line() + " lost: " + audit.lostIds());
    if (!mayPrintTwice(outcome.fault())) {
      assertEquals(0, audit.duplicates(), "no process died or stalled: " + audit.line() + "\n" + output);
    }
    System.out.printf(Locale.ROOT, "FaultKindsIT %s: submitted=%d lost=%d duplicates=%d recovery=%s lowest=%d%%%n",
        kind.option(), audit.submitted(), audit.lost(), audit.duplicates(),
        outcome.recovery().map(Duration::toMillis).map(ms -> ms / 1000.0 + " s").orElse("-"), outcome.lowestPercent());
  }

  /**
   * Where at-least-once may print a job twice: a worker node killed or frozen past the visibility timeout, Redis killed
   * (its last acknowledgements may not have reached the file), and a worker node cut off from Redis (it printed, could
   * not acknowledge, and after the visibility timeout another worker claims the entry). Everything else must print
   * every job exactly once: the client node holds nothing printed, and a slow or closed output, a full Redis or a cut
   * between nodes stops no acknowledgement.
   */
  static boolean mayPrintTwice(Fault fault) {
    return switch (fault.kind()) {
      case KILL_WORKER, STOP_WORKER, KILL_REDIS -> true;
      case CUT_REDIS -> fault.target().worker();
      default -> false;
    };
  }
}
