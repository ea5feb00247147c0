package hwaas.chaos;

import hwaas.support.AuditTrail;

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
 * The count {@code ./hwaas audit} makes, over the nodes' --audit files: confirmed submissions ({@code FILE.submitted})
 * against printed job ids ({@code FILE}). It is counted here again rather than taken from {@code hwaas.cli}, which
 * nothing may depend on (docs/architecture.md); the rules are the same: lost = confirmed and never printed.
 */
record AuditCount(long submitted, long printed, long duplicates, long lost, long unconfirmed, List<String> lostIds) {
  static final int LOST_IDS_SHOWN = 20;

  static AuditCount of(List<Path> printedFiles) {
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
    return new AuditCount(submitted.size(), printed.size(), printedLines - printed.size(), lost, unconfirmed, lostIds);
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
