package hwaas.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One job id per line, appended to a file (--audit): printed ids before their entry is acknowledged, so a
 * crash can add duplicates but never lose a line; confirmed submissions to a sibling {@code .submitted} file.
 * {@code ./hwaas audit} compares the two.
 */
public final class AuditTrail implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  public static final AuditTrail NONE = new AuditTrail(null, null);

  private final Printer writer;
  private final Path file;

  private AuditTrail(Printer writer, Path file) {
    this.writer = writer;
    this.file = file;
  }

  public static AuditTrail appendingTo(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return new AuditTrail(new Printer(new FileOutputStream(file.toFile(), true),
          () -> log.error("audit file {} can no longer be written; jobs will stay unacknowledged", file)), file);
    } catch (IOException e) {
      throw new hwaas.support.ConfigException("--audit " + file + " cannot be opened for appending (" + e.getMessage() + ")");
    }
  }

  /** The file of confirmed submissions that goes with an audit file of printed jobs. */
  public static Path submittedFile(Path printedFile) {
    return printedFile.resolveSibling(printedFile.getFileName() + ".submitted");
  }

  /** Completes once the lines are written to the file (handed to the operating system). */
  public Future<Void> recordAll(List<String> jobIds) {
    if (writer == null || jobIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return Future.fromCompletionStage(writer.printAll(jobIds), Vertx.currentContext());
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }

  @Override
  public String toString() {
    return file == null ? "no audit" : file.toString();
  }
}
