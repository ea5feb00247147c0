package hwaas.support;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a node writes its audit (--audit): printed job ids to {@code file}, confirmed submissions beside it.
 *
 * @param file {@code null}: no audit
 */
public record AuditSettings(Path file) {
  public static final AuditSettings NONE = new AuditSettings(null);

  public Optional<Path> printedFile() {
    return Optional.ofNullable(file);
  }

  /** The trail of printed jobs; {@link AuditTrail#NONE} without --audit. */
  public AuditTrail openPrinted() {
    return file == null ? AuditTrail.NONE : AuditTrail.appendingTo(file);
  }

  /** The trail of confirmed submissions; {@link AuditTrail#NONE} without --audit. */
  public AuditTrail openSubmitted() {
    return file == null ? AuditTrail.NONE : AuditTrail.appendingTo(AuditTrail.submittedFile(file));
  }

  /** An audit file that cannot be appended to is bad input: said before anything starts. */
  public void checkWritable() {
    if (file == null) {
      return;
    }
    for (Path path : List.of(file, AuditTrail.submittedFile(file))) {
      try {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        new FileOutputStream(path.toFile(), true).close();
      } catch (IOException e) {
        throw new ConfigException("--audit " + file + " cannot be opened for appending (" + e.getMessage() + ")");
      }
    }
  }
}
