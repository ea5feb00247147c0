package hwaas.worker;

import hwaas.queue.Job;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** {@code print {message}}: writes the message, exactly as given, on a line of its own. */
public final class PrintHandler implements JobHandler {
  private final Printer printer;

  public PrintHandler(Printer printer) {
    this.printer = printer;
  }

  @Override
  public Future<JsonObject> run(Job job) {
    Object message = job.payload().getValue("message");
    if (!(message instanceof String text)) {
      return Future.failedFuture(new IllegalArgumentException("print job " + job.id() + " has no string 'message'"));
    }
    return Future.fromCompletionStage(printer.print(text), Vertx.currentContext()).map(v -> null);
  }
}
