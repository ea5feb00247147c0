package hwaas.jobs;

import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/** {@code sleep {seconds, message}}: waits on a timer (never a blocked thread), then prints the message. */
public final class SleepHandler implements JobHandler {
  private final Printer printer;
  private final Duration max;

  public SleepHandler(Printer printer, Duration max) {
    this.printer = printer;
    this.max = max;
  }

  @Override
  public Future<JsonObject> run(Job job) {
    Object seconds = job.payload().getValue("seconds");
    Object message = job.payload().getValue("message");
    if (!(seconds instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() * 1000 > max.toMillis()
        || !(message instanceof String text)) {
      return Future.failedFuture(new IllegalArgumentException(
          "sleep needs 'seconds' between 0 and " + max.toSeconds() + " and a string 'message'"));
    }
    long millis = Math.round(n.doubleValue() * 1000);
    Vertx vertx = Vertx.currentContext().owner();
    Future<Void> slept = millis == 0 ? Future.succeededFuture() : vertx.timer(millis).mapEmpty();
    return slept
        .compose(v -> Future.fromCompletionStage(printer.print(text), Vertx.currentContext()))
        .map(v -> new JsonObject().put("slept", n.doubleValue()).put("message", text));
  }
}
