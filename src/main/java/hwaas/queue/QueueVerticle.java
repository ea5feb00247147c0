package hwaas.queue;

import hwaas.jobs.JobBatch;
import hwaas.jobs.JobContract;
import hwaas.redis.ClusterAddress;
import hwaas.redis.RedisSettings;
import hwaas.redis.SentinelFollower;
import hwaas.redis.SlotPrimary;
import hwaas.support.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
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
 * the client's proof that its jobs are durable. A few writes are in flight at a time, pipelined on one connection, so
 * jobs enter the stream in the order they arrived, and whatever arrives meanwhile forms the next, larger write. On a
 * Redis Cluster with partitions ({@link Partitions}), each partition has its own writes, and the order holds within
 * each.
 */
public final class QueueVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(QueueVerticle.class);
  /** A write stops taking submissions once it holds this many jobs, so a worker's read stays bounded. */
  private static final int MAX_JOBS_PER_WRITE = JobBatch.MAX_JOBS;
  /**
   * Writes pipelined on the queue's connection: enough that a write's round trip no longer gates the next, few
   * enough that most submissions still join a larger write.
   */
  static final int MAX_WRITES_IN_FLIGHT = 4;
  /** How often each node looks for due delayed jobs. */
  static final long DUE_POLL_MILLIS = 50;

  private final RedisSettings redisSettings;
  private final QueueSettings settings;
  private final JobContract contract;
  private final OutageLog outage = new OutageLog(log, "queue");
  private Redis redis;
  private PipelinedConnection writes;
  private Partitions partitions;
  /** One per partition ({@link Partitions}), in its order: each has its own writes in flight. */
  private final List<PartitionWrites> queues = new ArrayList<>();
  /** On a Redis Cluster with --redis-replicas: each partition's own connection to its primary, and what finds it. */
  private final List<PipelinedConnection> slotWrites = new ArrayList<>();
  private final List<SlotPrimary> slotPrimaries = new ArrayList<>();
  /** Each partition's delayed jobs move on their own: one mover, and one outage log, per partition. */
  private final List<DueJobs> dueJobs = new ArrayList<>();
  private final List<OutageLog> dueOutages = new ArrayList<>();
  private boolean stopped;
  /** Completed when the last write in flight has answered, once stopping. */
  private Promise<Void> idle;

  /**
   * What one message asked for: one batch (a client's), or a group of batches with their records (the API's), written
   * whole or refused whole.
   */
  private record Submission(Message<?> message, List<JobBatch> batches, List<String> jsons, List<String> clients,
                            List<Long> dueAt, List<Priority> priorities, int jobs, boolean group, boolean resendable) {
  }

  /** @param contract the job types this service runs and their payloads; other jobs are refused */
  public QueueVerticle(RedisSettings redisSettings, QueueSettings settings, JobContract contract) {
    this.redisSettings = redisSettings;
    this.settings = settings;
    this.contract = contract;
  }

  @Override
  public Future<?> start() {
    redis = redisSettings.client(vertx);
    LocalSubmission.registerCodec(vertx);
    writes = new PipelinedConnection(redis);
    partitions = settings.partitionKeys();
    // The backlog limit is the service's: each partition takes its share (batches spread evenly over them).
    long backlogShare = partitions.share(settings.maxBacklog());
    boolean waitOnPrimaries = ClusterAddress.isCluster(redisSettings.url()) && settings.redisReplicas() > 0;
    for (int p = 0; p < partitions.count(); p++) {
      PipelinedConnection partitionWrites = writes;
      if (waitOnPrimaries) {
        // WAIT counts the writes of its own connection, and the cluster client would send it to any node: each
        // partition's writes and their WAIT go on a plain connection to the primary of its slot.
        SlotPrimary primary = new SlotPrimary(vertx, redis, redisSettings, partitions.slotOf(p));
        slotPrimaries.add(primary);
        partitionWrites = new PipelinedConnection(primary::connect);
        slotWrites.add(partitionWrites);
      }
      queues.add(new PartitionWrites(new EnqueueScript(redis, partitionWrites, settings.redisReplicas(), partitions.get(p),
          backlogShare, settings.recordTtl())));
    }
    for (StreamKeys keys : partitions.all()) {
      dueJobs.add(new DueJobs(redis, keys, settings.recordTtl()));
      dueOutages.add(new OutageLog(log, "delayed jobs" + (partitions.count() == 1 ? "" : " of " + keys.prefix())));
    }
    // The streams and their group exist from the first node on, so that stats and the API find them even before a
    // worker starts (the group reads from 0: nothing written before a worker joins is skipped).
    return Future.all(queues.stream().map(q -> q.script.load()).toList())
        .onSuccess(v -> {
          for (int p = 0; p < dueJobs.size(); p++) {
            moveDueJobs(p);
          }
        })
        .compose(v -> StreamGroup.ensureAll(redis, partitions, contract.types()))
        .compose(v -> Future.all(partitions.all().stream().map(keys -> new JobIndex(keys).prepare(redis, contract.types())).toList()))
        .compose(v -> vertx.eventBus().consumer(QueueAddresses.SUBMIT, this::accept).completion())
        .compose(v -> vertx.eventBus().<LocalSubmission>localConsumer(QueueAddresses.SUBMIT_LOCAL, this::acceptLocal).completion())
        .compose(v -> vertx.eventBus().localConsumer(SentinelFollower.PRIMARY_MOVED, m -> writes.reconnect()).completion())
        .onFailure(err -> redis.close());
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    queues.forEach(PartitionWrites::flush);
    // Let the writes already sent to Redis answer their clients before the connection goes.
    idle = Promise.promise();
    checkIdle();
    return idle.future()
        .timeout(settings.submitTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .recover(err -> {
          log.warn("queue: writes still unanswered after {} ms at stop; their clients will resend", settings.submitTimeout().toMillis());
          return Future.succeededFuture();
        })
        .eventually(() -> writes.close())
        .eventually(() -> Future.join(slotWrites.stream().map(PipelinedConnection::close).toList()))
        .eventually(() -> Future.join(slotPrimaries.stream().map(SlotPrimary::close).toList()))
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
    queue(new Submission(message, List.of(batch), List.of(json), null, null, null, batch.size(), false, true));
  }

  /** From this node's API, which checked the jobs already; a local consumer, so no other node can send here. */
  private void acceptLocal(Message<LocalSubmission> message) {
    LocalSubmission submission = message.body();
    List<String> jsons = new ArrayList<>(submission.batches().size());
    submission.batches().forEach(b -> jsons.add(b.toJson().encode()));
    queue(new Submission(message, submission.batches(), jsons, submission.clients(), submission.dueAt(),
        submission.priorities(), submission.jobs(), true, submission.resendable()));
  }

  private void queue(Submission submission) {
    queues.get(partitionOf(submission)).add(submission);
  }

  /**
   * The API's jobs (with records, from this node) go to the partition their ids name (hwaas.http.JobsApi puts a
   * submission's jobs in one); a client's batch of a built-in type to the partition of its key; any other to the home.
   */
  private int partitionOf(Submission submission) {
    JobBatch first = submission.batches().get(0);
    if (submission.group()) {
      return partitions.ofJob(first.ids().get(0));
    }
    if (first.tracked() || !contract.types().contains(first.type())) {
      return 0;
    }
    return partitions.ofKey(first.key());
  }

  private void checkIdle() {
    if (idle != null && queues.stream().allMatch(PartitionWrites::isIdle)) {
      idle.tryComplete();
    }
  }

  /**
   * Every {@link #DUE_POLL_MILLIS}, sooner when the soonest delayed job falls due before that, and at once after a move
   * that found due jobs, delayed jobs that are due go to their streams: a job runs within a few milliseconds of its
   * time, and while jobs keep falling due the mover keeps up with them (waiting a poll after each move let 50,000 due a
   * second fall behind by a second). The poll still bounds the wait: another node may schedule a job due sooner. Every
   * node does it; the script makes each move happen once.
   */
  private void moveDueJobs(int partition) {
    if (stopped) {
      return;
    }
    OutageLog dueOutage = dueOutages.get(partition);
    dueJobs.get(partition).moveDue().onComplete(ar -> {
      if (stopped) {
        return; // a move cut short by the stop is taken up by another node, or by this one when it starts again
      }
      if (ar.failed()) {
        dueOutage.failure("moving due delayed jobs from " + partitions.get(partition).scheduled(), ar.cause());
        vertx.setTimer(DUE_POLL_MILLIS, t -> moveDueJobs(partition));
        return;
      }
      dueOutage.success();
      DueJobs.Move move = ar.result();
      if (move.moved() > 0) {
        moveDueJobs(partition);
      } else {
        long untilSoonest = move.soonestAt() < 0 ? DUE_POLL_MILLIS : move.soonestAt() - System.currentTimeMillis();
        vertx.setTimer(Math.max(1, Math.min(DUE_POLL_MILLIS, untilSoonest)), t -> moveDueJobs(partition));
      }
    });
  }

  /** The writes of one partition: one script call at a time per batch of submissions, up to a few in flight. */
  private final class PartitionWrites {
    private final EnqueueScript script;
    private final ArrayDeque<Submission> waiting = new ArrayDeque<>();
    /** Writes sent and not yet answered: at most {@link #MAX_WRITES_IN_FLIGHT}, pipelined on the queue's connection. */
    private int writing;

    PartitionWrites(EnqueueScript script) {
      this.script = script;
    }

    void add(Submission submission) {
      waiting.add(submission);
      if (waiting.size() == 1) {
        // Whatever else arrives before this runs joins the same write.
        context.runOnContext(v -> flush());
      }
    }

    boolean isIdle() {
      return writing == 0 && waiting.isEmpty();
    }

    private void flush() {
      if (waiting.isEmpty() || writing >= MAX_WRITES_IN_FLIGHT) {
        return;
      }
      List<Submission> sending = new ArrayList<>();
      int jobs = 0;
      while (!waiting.isEmpty() && (sending.isEmpty() || jobs + waiting.peek().jobs() <= MAX_JOBS_PER_WRITE)) {
        Submission next = waiting.poll();
        jobs += next.jobs();
        sending.add(next);
      }
      write(sending, jobs);
    }

    private void write(List<Submission> sending, int jobs) {
      List<EnqueueScript.Write> batches = new ArrayList<>();
      // An API job's key lives as long as its record: a retry with the same Idempotency-Key finds it for that long.
      Duration apiKeys = settings.recordTtl().compareTo(settings.dedupWindow()) > 0 ? settings.recordTtl() : settings.dedupWindow();
      for (int group = 0; group < sending.size(); group++) {
        Submission s = sending.get(group);
        for (int b = 0; b < s.batches().size(); b++) {
          JobBatch batch = s.batches().get(b);
          EnqueueScript.Records records = s.clients() == null ? null
              : new EnqueueScript.Records(s.clients().get(b), batch.sentAt(), batch.payload().encode(), batch.ids(), s.dueAt().get(b),
                  s.priorities().get(b));
          Duration keyTtl = !s.resendable() ? Duration.ZERO : batch.tracked() ? apiKeys : settings.dedupWindow();
          batches.add(new EnqueueScript.Write(batch.key(), batch.type(), keyTtl,
              batch.size(), s.jsons().get(b), group, records));
        }
      }
      writing++;
      script.enqueue(batches)
          .onSuccess(ids -> {
            outage.success();
            int next = 0;
            for (Submission submission : sending) {
              List<String> entryIds = ids.subList(next, next + submission.batches().size());
              next += submission.batches().size();
              if (entryIds.contains(EnqueueScript.BACKLOG)) {
                JobBatch full = submission.batches().get(entryIds.indexOf(EnqueueScript.BACKLOG));
                submission.message().fail(QueueFailure.BACKLOG.code, "the backlog of " + full.type() + " jobs is at "
                    + (partitions.count() == 1 ? "" : "its partition's share (1/" + partitions.count() + ") of ")
                    + "--max-backlog " + settings.maxBacklog() + "; nothing was added: retry later");
              } else if (submission.group()) {
                submission.message().reply(new JsonObject().put("entryIds", new JsonArray(new ArrayList<>(entryIds))));
              } else {
                submission.message().reply(new JsonObject().put("entryId", entryIds.get(0)));
              }
            }
          })
          .onFailure(err -> {
            if (QueueFailure.isRedisFull(err)) {
              outage.failure("Redis is at its memory limit (--redis-maxmemory): new jobs are refused, and their senders "
                  + "told to resend later, until it has room (the jobs it holds still run, and API records expire after "
                  + "--record-ttl); " + jobs + " jobs in " + batches.size() + " batches", err);
              sending.forEach(s -> s.message().fail(QueueFailure.FULL.code, QueueFailure.FULL_MESSAGE));
              return;
            }
            outage.failure("XADD of " + jobs + " jobs in " + batches.size() + " batches (first " + batches.get(0).key() + ")", err);
            sending.forEach(s -> s.message().fail(QueueFailure.UNAVAILABLE.code, "Redis did not take the jobs: " + err.getMessage()));
          })
          .onComplete(ar -> {
            writing--;
            flush();
            checkIdle();
          });
    }
  }
}
