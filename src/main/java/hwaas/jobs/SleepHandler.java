package hwaas.jobs;

import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;


/**
 * {@code sleep {seconds, message}}: waits on a timer (never a blocked thread), then prints the message. The payload
 * was checked against the contract ({@link JobContract}, which holds --max-sleep) when it was submitted.
 */
public final class SleepHandler implements JobHandler {
  private final Printer printer;

  public SleepHandler(Printer printer) {
    this.printer = printer;
  }

  @Override
  public Future<JsonObject> run(Job job) {
    double seconds = job.payload().getNumber("seconds").doubleValue();
    String text = job.payload().getString("message");
    long millis = Math.round(seconds * 1000);
    Vertx vertx = Vertx.currentContext().owner();
    Future<Void> slept = millis == 0 ? Future.succeededFuture() : vertx.timer(millis).mapEmpty();
    return slept
        .compose(v -> Future.fromCompletionStage(printer.print(text), Vertx.currentContext()))
        .map(v -> new JsonObject().put("slept", seconds).put("message", text));
  }
}
