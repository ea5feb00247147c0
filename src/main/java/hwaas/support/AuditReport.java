package hwaas.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the --audit files of any number of nodes say: confirmed submissions ({@code FILE.submitted}) against printed job
 * ids ({@code FILE}). Lost = confirmed and never printed; duplicates = printed lines beyond the first of a job;
 * unconfirmed = printed although its client gave up waiting for the confirmation. {@code ./hwaas audit} and
 * {@code ./hwaas chaos} both count with it.
 */
public record AuditReport(long submitted, long printed, long duplicates, long lost, long unconfirmed, List<String> lostIds) {
  public static final int LOST_IDS_SHOWN = 20;

  public static AuditReport of(List<Path> printedFiles) {
    Set<String> submitted = new LinkedHashSet<>();
    Map<String, Integer> printed = new HashMap<>();
    long printedLines = 0;
    for (Path file : printedFiles) {
      lines(AuditTrail.submittedFile(file)).forEach(submitted::add);
      for (String id : lines(file)) {
        printed.merge(id, 1, Integer::sum);
        printedLines++;
      }
    }
    List<String> lostIds = new ArrayList<>();
    long lost = 0;
    for (String id : submitted) {
      if (!printed.containsKey(id)) {
        lost++;
        if (lostIds.size() < LOST_IDS_SHOWN) {
          lostIds.add(id);
        }
      }
    }
    long unconfirmed = printed.keySet().stream().filter(id -> !submitted.contains(id)).count();
    return new AuditReport(submitted.size(), printed.size(), printedLines - printed.size(), lost, unconfirmed, lostIds);
  }

  /** The one-line form {@code ./hwaas audit} prints. */
  public String line() {
    return "audit: submitted=" + submitted + " printed=" + printed + " duplicates=" + duplicates + " lost=" + lost
        + " unconfirmed=" + unconfirmed;
  }

  /** The non-blank lines of a file; none if a node never wrote it. */
  private static List<String> lines(Path file) {
    if (!Files.exists(file)) {
      return List.of();
    }
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
