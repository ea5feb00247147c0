package hwaas.jobs;

import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code print {message}}: writes the message, exactly as given, on a line of its own. The payload was checked
 * against the contract ({@link JobContract}) when it was submitted.
 */
public final class PrintHandler implements JobHandler {
  private final Printer printer;

  public PrintHandler(Printer printer) {
    this.printer = printer;
  }

  /** Reading waits while the printer has more than it may hold waiting for a slow output. */
  @Override
  public Future<Void> ready() {
    return Future.fromCompletionStage(printer.room(), Vertx.currentContext());
  }

  @Override
  public boolean boundedByOutput() {
    return true;
  }

  @Override
  public Future<JsonObject> run(Job job) {
    return runAll(List.of(job)).get(0);
  }

  /** All the lines of a batch go to the printer together, and share the future of their flush. */
  @Override
  public List<Future<JsonObject>> runAll(List<Job> jobs) {
    List<String> lines = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      lines.add(job.payload().getString("message"));
    }
    Future<JsonObject> flushed = Future.fromCompletionStage(printer.printAll(lines), Vertx.currentContext()).map(v -> null);
    return Collections.nCopies(jobs.size(), flushed);
  }
}
