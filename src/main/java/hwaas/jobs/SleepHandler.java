package hwaas.jobs;

import hwaas.support.Printer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;


/**
 * {@code sleep {seconds, message}}: waits on a timer (never a blocked thread), then prints the message. It reports its
 * progress every tenth of its time and, when canceled, stops its timer at once and prints nothing. The payload was
 * checked against the contract ({@link JobContract}, which holds --max-sleep) when it was submitted.
 */
public final class SleepHandler implements JobHandler {
  private static final int STEPS = 10;

  private final Printer printer;

  public SleepHandler(Printer printer) {
    this.printer = printer;
  }

  @Override
  public Future<JsonObject> run(Job job) {
    return run(job, JobControl.NONE);
  }

  @Override
  public List<Future<JsonObject>> runAll(List<Job> jobs, List<JobControl> controls) {
    List<Future<JsonObject>> outcomes = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      outcomes.add(run(jobs.get(i), controls.get(i)));
    }
    return outcomes;
  }

  @Override
  public Future<JsonObject> run(Job job, JobControl control) {
    double seconds = job.payload().getNumber("seconds").doubleValue();
    String text = job.payload().getString("message");
    long millis = Math.round(seconds * 1000);
    Vertx vertx = Vertx.currentContext().owner();
    return slept(vertx, job, millis, control)
        .compose(v -> Future.fromCompletionStage(printer.print(text), Vertx.currentContext()))
        .map(v -> new JsonObject().put("slept", seconds).put("message", text));
  }

  /** Sleeps in ten steps, reporting each; a cancel stops the step's timer and fails the sleep. */
  private static Future<Void> slept(Vertx vertx, Job job, long millis, JobControl control) {
    if (millis == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    long[] timer = {-1};
    int[] step = {0};
    long stepMillis = Math.max(1, millis / STEPS);
    Runnable next = new Runnable() {
      @Override
      public void run() {
        long left = millis - step[0] * stepMillis;
        timer[0] = vertx.setTimer(step[0] == STEPS - 1 ? Math.max(1, left) : stepMillis, t -> {
          step[0]++;
          if (step[0] >= STEPS) {
            done.tryComplete();
            return;
          }
          control.progress((double) step[0] / STEPS, "slept " + (step[0] * stepMillis) + " of " + millis + " ms");
          run();
        });
      }
    };
    control.progress(0, "sleeping " + millis + " ms");
    next.run();
    control.canceled().onSuccess(v -> {
      vertx.cancelTimer(timer[0]);
      done.tryFail(new JobControl.CanceledException(job.id()));
    });
    return done.future();
  }
}
