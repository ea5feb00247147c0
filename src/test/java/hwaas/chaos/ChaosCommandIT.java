package hwaas.chaos;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault suite as a user runs it ({@code ./hwaas chaos}), in this JVM: real node processes from the built jar, real
 * kills, stops, cuts and a full Redis for 1.4 minutes, and the audit of their files decides whether anything was lost.
 */
class ChaosCommandIT {
  private static final Pattern SUMMARY =
      Pattern.compile("chaos: faults=(\\d+) submitted=(\\d+) printed=(\\d+) lost=(\\d+) duplicates=(\\d+)");

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  @DisplayName("chaos --minutes 1.4 --seed 42: at least 5 faults of at least 4 kinds, nothing lost, exit 0, the summary last")
  void twoMinutesOfFaults() {
    Path dir = Path.of("target", "chaos-command", UUID.randomUUID().toString().substring(0, 8));
    StringWriter text = new StringWriter();
    ChaosCommand command = new ChaosCommand();
    int status = new CommandLine(command).setOut(new PrintWriter(text, true)).setErr(new PrintWriter(text, true))
        // Seed 42 plays its sixth fault about 76 s into the faults (its fifth at 65 s): 1.4 minutes hold 6 of them.
        .execute("--minutes", "1.4", "--seed", "42", "--dir", dir.toString());
    String output = text.toString();
    System.out.println(output);

    List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
    Matcher summary = SUMMARY.matcher(lines.get(lines.size() - 1));
    assertTrue(summary.matches(), "the last line is the summary: " + output);
    assertEquals(0, status, output);
    long faults = Long.parseLong(summary.group(1));
    long submitted = Long.parseLong(summary.group(2));
    long printed = Long.parseLong(summary.group(3));
    assertEquals(0, Long.parseLong(summary.group(4)), "lost: " + output);
    assertTrue(faults >= 5, "faults injected: " + faults);
    assertEquals(faults, command.report().faults());
    int kinds = command.report().byKind().size();
    assertTrue(kinds >= 4, "kinds of faults injected: " + command.report().byKind().keySet());
    // 50 clients at 10/s for about two minutes (the warm-up, 1.4 minutes of faults, the drain), less what they cost.
    assertTrue(submitted > 20_000, "submitted: " + submitted);
    assertTrue(printed >= submitted, "printed " + printed + " of " + submitted);
  }
}
