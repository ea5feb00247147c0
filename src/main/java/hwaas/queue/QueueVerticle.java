package hwaas.queue;

import hwaas.config.HwaasConfig;
import hwaas.node.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Takes submissions from the event bus and appends them to the Redis stream. Submissions that arrive
 * together are written together, in one script call, and each is answered with its stream entry id only
 * once Redis has it: the reply is the client's proof that the job is durable. One write is in flight at a
 * time, so jobs enter the stream in the order they arrived, and whatever arrives meanwhile forms the next,
 * larger batch.
 */
public final class QueueVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(QueueVerticle.class);
  private static final int MAX_BATCH = 1000;

  private final HwaasConfig config;
  private final Set<String> types;
  private final OutageLog outage = new OutageLog(log, "queue");
  private Redis redis;
  private EnqueueScript script;
  private List<Submission> batch = new ArrayList<>();
  private boolean writing;

  private record Submission(Message<JsonObject> message, Job job) {
  }

  /** @param types the job types this service runs; jobs of other types are refused */
  public QueueVerticle(HwaasConfig config, Set<String> types) {
    this.config = config;
    this.types = Set.copyOf(types);
  }

  @Override
  public Future<?> start() {
    redis = Redis.createClient(vertx, config.redisOptions());
    script = new EnqueueScript(redis, new StreamKeys(config.keyPrefix()), config.idempotencyTtl());
    return script.load()
        .compose(v -> vertx.eventBus().<JsonObject>consumer(QueueAddresses.SUBMIT, this::accept).completion())
        .onFailure(err -> redis.close());
  }

  @Override
  public Future<?> stop() {
    flush();
    // Let the writes already sent to Redis answer their clients before the connection goes.
    return waitForWrites(System.currentTimeMillis() + config.submitTimeout().toMillis())
        .eventually(() -> redis.close());
  }

  private void accept(Message<JsonObject> message) {
    Job job;
    try {
      job = Job.fromJson(message.body());
      if (!types.contains(job.type())) {
        throw new IllegalArgumentException("unknown job type '" + job.type() + "'; known: " + new TreeSet<>(types));
      }
    } catch (IllegalArgumentException e) {
      message.fail(QueueFailure.BAD_JOB.code, e.getMessage());
      return;
    }
    batch.add(new Submission(message, job));
    if (batch.size() == 1) {
      // Whatever else arrives before this runs joins the same write.
      context.runOnContext(v -> flush());
    }
  }

  private void flush() {
    if (batch.isEmpty() || writing) {
      return;
    }
    List<Submission> sending = batch;
    if (sending.size() > MAX_BATCH) {
      sending = new ArrayList<>(batch.subList(0, MAX_BATCH));
      batch = new ArrayList<>(batch.subList(MAX_BATCH, batch.size()));
    } else {
      batch = new ArrayList<>();
    }
    write(sending);
  }

  private void write(List<Submission> sending) {
    List<Job> jobs = new ArrayList<>(sending.size());
    sending.forEach(s -> jobs.add(s.job()));
    writing = true;
    script.enqueue(jobs)
        .onSuccess(ids -> {
          outage.success();
          for (int i = 0; i < sending.size(); i++) {
            sending.get(i).message().reply(new JsonObject().put("entryId", ids.get(i)));
          }
        })
        .onFailure(err -> {
          outage.failure("XADD of " + jobs.size() + " jobs (first " + jobs.get(0).id() + ")", err);
          sending.forEach(s -> s.message().fail(QueueFailure.UNAVAILABLE.code, "Redis did not take the job: " + err.getMessage()));
        })
        .onComplete(ar -> {
          writing = false;
          flush();
        });
  }

  private Future<Void> waitForWrites(long deadline) {
    if ((!writing && batch.isEmpty()) || System.currentTimeMillis() > deadline) {
      return Future.succeededFuture();
    }
    return vertx.timer(10).compose(t -> waitForWrites(deadline));
  }
}
