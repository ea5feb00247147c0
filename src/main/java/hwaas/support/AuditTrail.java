package hwaas.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One job id per line, appended to a file (--audit): printed ids before their entry is acknowledged, so a
 * crash can add duplicates but never lose a line; confirmed submissions to a sibling {@code .submitted} file.
 * {@code ./hwaas audit} compares the two.
 */
public final class AuditTrail implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  public static final AuditTrail NONE = new AuditTrail(null, null, null);
  /** How often written lines are forced to disk (and at close): as often as Redis syncs its file by default. */
  static final long SYNC_MILLIS = 1_000;
  private static final ScheduledExecutorService SYNCER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "hwaas-audit-sync");
    t.setDaemon(true);
    return t;
  });

  private final Printer writer;
  private final Path file;
  private final FileChannel channel;
  private final AtomicBoolean unsynced = new AtomicBoolean();
  private final AtomicLong syncs = new AtomicLong();
  private final ScheduledFuture<?> syncing;

  private AuditTrail(Printer writer, Path file, FileChannel channel) {
    this.writer = writer;
    this.file = file;
    this.channel = channel;
    this.syncing = channel == null ? null : SYNCER.scheduleWithFixedDelay(this::sync, SYNC_MILLIS, SYNC_MILLIS, TimeUnit.MILLISECONDS);
  }

  public static AuditTrail appendingTo(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      FileOutputStream out = new FileOutputStream(file.toFile(), true);
      return new AuditTrail(new Printer(out,
          () -> log.error("audit file {} can no longer be written; jobs will stay unacknowledged", file)), file, out.getChannel());
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
    return Future.fromCompletionStage(writer.printAll(jobIds).thenRun(() -> unsynced.set(true)), Vertx.currentContext());
  }

  /** How many times written lines were forced to disk. */
  public long syncs() {
    return syncs.get();
  }

  /**
   * Forces what was written to disk. A line is written (handed to the operating system) before the entry it audits is
   * acknowledged, and forced within a second, as Redis's own append-only file is by default: a machine crash can
   * lose the last second of both, not one without the other for long.
   */
  private void sync() {
    if (unsynced.getAndSet(false)) {
      try {
        channel.force(false);
        syncs.incrementAndGet();
      } catch (IOException e) {
        log.error("audit file {} could not be synced to disk", file, e);
      }
    }
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
      syncing.cancel(false);
      unsynced.set(true);
      sync();
      try {
        channel.close();
      } catch (IOException e) {
        log.warn("audit file {} did not close cleanly", file, e);
      }
    }
  }

  @Override
  public String toString() {
    return file == null ? "no audit" : file.toString();
  }
}
