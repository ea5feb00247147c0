package hwaas.testing;

import hwaas.jobs.Job;
import hwaas.jobs.JobHandler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Runs jobs through a real handler and records the ids of those that succeeded, in order of completion. */
public final class RecordingHandler implements JobHandler {
  private final JobHandler delegate;
  private final ConcurrentLinkedQueue<String> done = new ConcurrentLinkedQueue<>();

  public RecordingHandler(JobHandler delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<JsonObject> run(Job job) {
    return delegate.run(job).onSuccess(r -> done.add(job.id()));
  }

  /** Through the delegate's own batch path (printing writes a batch at once). */
  @Override
  public List<Future<JsonObject>> runAll(List<Job> jobs) {
    List<Future<JsonObject>> outcomes = delegate.runAll(jobs);
    for (int i = 0; i < jobs.size(); i++) {
      String id = jobs.get(i).id();
      outcomes.get(i).onSuccess(r -> done.add(id));
    }
    return outcomes;
  }

  public List<String> jobIds() {
    return List.copyOf(done);
  }

  public int count() {
    return done.size();
  }
}
