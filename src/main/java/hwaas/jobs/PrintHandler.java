package hwaas.jobs;

import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** {@code print {message}}: writes the message, exactly as given, on a line of its own. */
public final class PrintHandler implements JobHandler {
  private final Printer printer;

  public PrintHandler(Printer printer) {
    this.printer = printer;
  }

  @Override
  public Future<JsonObject> run(Job job) {
    return runAll(List.of(job)).get(0);
  }

  /** All the lines of a batch go to the printer together, and share the future of their flush. */
  @Override
  public List<Future<JsonObject>> runAll(List<Job> jobs) {
    List<String> lines = new ArrayList<>(jobs.size());
    List<Future<JsonObject>> outcomes = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      Object message = job.payload().getValue("message");
      if (message instanceof String text) {
        lines.add(text);
        outcomes.add(null); // the flush, filled in below
      } else {
        outcomes.add(Future.failedFuture(new IllegalArgumentException("print job " + job.id() + " has no string 'message'")));
      }
    }
    if (!lines.isEmpty()) {
      Future<JsonObject> flushed = Future.fromCompletionStage(printer.printAll(lines), Vertx.currentContext()).map(v -> null);
      outcomes.replaceAll(outcome -> outcome == null ? flushed : outcome);
    }
    return outcomes;
  }
}
