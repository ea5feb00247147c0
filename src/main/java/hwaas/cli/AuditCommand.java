package hwaas.cli;

import hwaas.support.ConfigException;
import hwaas.support.AuditTrail;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code ./hwaas audit FILE...}: compares confirmed submissions with printed jobs, from the --audit files. */
@Command(name = "audit", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Reads audit files written with --audit (printed job ids in FILE, confirmed submissions in FILE.submitted) "
        + "from one or more nodes, and reports submitted, printed, duplicates (printed more than once, allowed only "
        + "after a crash) and lost (confirmed but never printed). Exit status 0 when nothing was lost, 1 otherwise.",
    footer = "Example: ./hwaas audit node1.audit node2.audit")
public final class AuditCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Audit files given to --audit on each node.")
  List<Path> files;

  /** What the audit found. */
  public record Report(long submitted, long printed, long duplicates, long lost, long unconfirmed, List<String> lostIds) {
    public String line() {
      return "audit: submitted=" + submitted + " printed=" + printed + " duplicates=" + duplicates + " lost=" + lost
          + " unconfirmed=" + unconfirmed;
    }
  }

  @Override
  public Integer call() {
    return run(System.out, System.err);
  }

  int run(PrintStream out, PrintStream err) {
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("audit file " + file + " does not exist");
      }
    }
    Report report = audit(files);
    out.println(report.line());
    if (!report.lostIds().isEmpty()) {
      err.println("lost (first " + report.lostIds().size() + "): " + String.join(" ", report.lostIds()));
    }
    return report.lost() == 0 ? 0 : 1;
  }

  public static Report audit(List<Path> printedFiles) {
    Set<String> submitted = new LinkedHashSet<>();
    Map<String, Integer> printed = new HashMap<>();
    long printedLines = 0;
    for (Path file : printedFiles) {
      Path submittedFile = AuditTrail.submittedFile(file);
      if (Files.exists(submittedFile)) {
        try (Stream<String> ids = Files.lines(submittedFile)) {
          ids.filter(id -> !id.isBlank()).forEach(submitted::add);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + submittedFile, e);
        }
      }
      try (Stream<String> ids = Files.lines(file)) {
        for (String id : (Iterable<String>) ids.filter(id -> !id.isBlank())::iterator) {
          printed.merge(id, 1, Integer::sum);
          printedLines++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    List<String> lostIds = new ArrayList<>();
    long lost = 0;
    for (String id : submitted) {
      if (!printed.containsKey(id)) {
        lost++;
        if (lostIds.size() < 20) {
          lostIds.add(id);
        }
      }
    }
    // Printed but never confirmed: the client gave up at shutdown, yet its job had reached the stream.
    long unconfirmed = printed.keySet().stream().filter(id -> !submitted.contains(id)).count();
    return new Report(submitted.size(), printed.size(), printedLines - printed.size(), lost, unconfirmed, lostIds);
  }
}
