package hwaas.queue;

import hwaas.jobs.JobBatch;
import hwaas.jobs.JobContract;
import hwaas.redis.RedisSettings;
import hwaas.support.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Takes submissions (each a {@link JobBatch}, as JSON text or object) from the event bus and appends them to
 * the Redis streams. Submissions that arrive together are written together, in one script call that makes
 * one stream entry per job type, and each is answered with its entry id only once Redis has it: the reply is
 * the client's proof that its jobs are durable. One write is in flight at a time, so jobs enter the stream in
 * the order they arrived, and whatever arrives meanwhile forms the next, larger write.
 */
public final class QueueVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(QueueVerticle.class);
  /** A write stops taking submissions once it holds this many jobs, so a worker's read stays bounded. */
  private static final int MAX_JOBS_PER_WRITE = JobBatch.MAX_JOBS;

  private final RedisSettings redisSettings;
  private final QueueSettings settings;
  private final JobContract contract;
  private final OutageLog outage = new OutageLog(log, "queue");
  private Redis redis;
  private EnqueueScript script;
  private final ArrayDeque<Submission> waiting = new ArrayDeque<>();
  private boolean writing;
  /** Completed when the last write in flight has answered, once stopping. */
  private Promise<Void> idle;

  private record Submission(Message<Object> message, JobBatch batch, String json) {
  }

  /** @param contract the job types this service runs and their payloads; other jobs are refused */
  public QueueVerticle(RedisSettings redisSettings, QueueSettings settings, JobContract contract) {
    this.redisSettings = redisSettings;
    this.settings = settings;
    this.contract = contract;
  }

  @Override
  public Future<?> start() {
    redis = Redis.createClient(vertx, redisSettings.options());
    script = new EnqueueScript(redis, settings.keys(), settings.maxBacklog());
    // The streams and their group exist from the first node on, so that stats and the API find them even before a
    // worker starts (the group reads from 0: nothing written before a worker joins is skipped).
    return script.load()
        .compose(v -> StreamGroup.ensureAll(redis, settings.keys(), contract.types()))
        .compose(v -> vertx.eventBus().consumer(QueueAddresses.SUBMIT, this::accept).completion())
        .onFailure(err -> redis.close());
  }

  @Override
  public Future<?> stop() {
    flush();
    // Let the writes already sent to Redis answer their clients before the connection goes.
    idle = Promise.promise();
    if (!writing && waiting.isEmpty()) {
      idle.complete();
    }
    return idle.future()
        .timeout(settings.submitTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .recover(err -> {
          log.warn("queue: writes still unanswered after {} ms at stop; their clients will resend", settings.submitTimeout().toMillis());
          return Future.succeededFuture();
        })
        .eventually(() -> redis.close());
  }

  private void accept(Message<Object> message) {
    JobBatch batch;
    String json;
    try {
      JsonObject body;
      if (message.body() instanceof String text) {
        body = new JsonObject(text);
      } else if (message.body() instanceof JsonObject object) {
        body = object;
      } else {
        throw new IllegalArgumentException("a submission must be a job batch as JSON");
      }
      batch = JobBatch.fromJson(body);
      contract.checkPayload(batch.type(), batch.payload());
      json = message.body() instanceof String text ? text : body.encode();
    } catch (RuntimeException e) { // DecodeException for text that is not JSON
      message.fail(QueueFailure.BAD_JOB.code, e.getMessage());
      return;
    }
    waiting.add(new Submission(message, batch, json));
    if (waiting.size() == 1) {
      // Whatever else arrives before this runs joins the same write.
      context.runOnContext(v -> flush());
    }
  }

  private void flush() {
    if (waiting.isEmpty() || writing) {
      return;
    }
    List<Submission> sending = new ArrayList<>();
    int jobs = 0;
    while (!waiting.isEmpty() && (sending.isEmpty() || jobs + waiting.peek().batch().size() <= MAX_JOBS_PER_WRITE)) {
      Submission next = waiting.poll();
      jobs += next.batch().size();
      sending.add(next);
    }
    write(sending, jobs);
  }

  private void write(List<Submission> sending, int jobs) {
    List<EnqueueScript.Write> writes = new ArrayList<>(sending.size());
    // An API job's key lives as long as its record: a retry with the same Idempotency-Key finds it for that long.
    Duration apiKeys = settings.recordTtl().compareTo(settings.dedupWindow()) > 0 ? settings.recordTtl() : settings.dedupWindow();
    sending.forEach(s -> writes.add(new EnqueueScript.Write(s.batch().key(), s.batch().type(),
        s.batch().tracked() ? apiKeys : settings.dedupWindow(), s.batch().size(), s.json())));
    writing = true;
    script.enqueue(writes)
        .onSuccess(ids -> {
          outage.success();
          for (int i = 0; i < sending.size(); i++) {
            Submission submission = sending.get(i);
            if (EnqueueScript.BACKLOG.equals(ids.get(i))) {
              submission.message().fail(QueueFailure.BACKLOG.code, "the backlog of " + submission.batch().type()
                  + " jobs is at --max-backlog " + settings.maxBacklog() + "; nothing was added: retry later");
            } else {
              submission.message().reply(new JsonObject().put("entryId", ids.get(i)));
            }
          }
        })
        .onFailure(err -> {
          outage.failure("XADD of " + jobs + " jobs in " + sending.size() + " batches (first " + sending.get(0).batch().key() + ")", err);
          sending.forEach(s -> s.message().fail(QueueFailure.UNAVAILABLE.code, "Redis did not take the jobs: " + err.getMessage()));
        })
        .onComplete(ar -> {
          writing = false;
          flush();
          if (idle != null && !writing && waiting.isEmpty()) {
            idle.tryComplete();
          }
        });
  }
}
