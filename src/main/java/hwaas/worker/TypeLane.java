package hwaas.worker;

import hwaas.chain.ChainScripts;
import hwaas.jobs.JobType;

import hwaas.support.OutageLog;
import hwaas.jobs.Job;
import hwaas.queue.GroupScripts;
import hwaas.queue.JobCancel;
import hwaas.queue.JobRecords;
import hwaas.queue.PausedTypes;
import hwaas.queue.Priority;
import hwaas.queue.QueueSettings;
import hwaas.queue.ResultCache;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import hwaas.stats.NodeCounters;
import hwaas.stats.StatsAddresses;
import hwaas.support.Backoff;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One worker's consumer of one job type's streams (one per priority) in one partition: its own read loop on its own
 * connection, so a slow type (sleep) never holds up a fast one (print), and a paused type simply stops reading. Runs on
 * its worker verticle's event loop.
 */
final class TypeLane {
  private static final Logger log = LoggerFactory.getLogger(TypeLane.class);
  /** On stop, how long a lane keeps draining entries that are already in the stream. */
  private static final long DRAIN_MILLIS = 2_000;
  private static final long PAUSE_CHECK_MILLIS = 100;

  private final Vertx vertx;
  private final Redis redis;
  private final WorkerSettings settings;
  private final JobType type;
  /** The type's streams, named in logs. */
  private final String streams;
  private final String consumer;
  private final StreamKeys keys;
  private final JobRecords records;
  private final ResultCache cache;
  private final ChainScripts chains;
  private final JobRunner runner;
  /** One per priority's stream of the type. */
  private final List<Reclaimer> reclaimers = new ArrayList<>();
  private final long maxDead;
  private final long recordTtlSeconds;
  private final PausedTypes paused;
  private final OutageLog outage;
  private final NodeCounters counters;
  private final Promise<Void> drained = Promise.promise();
  private StreamReader reader;
  /** Entries read just as a pause arrived: held, unacknowledged, and run first when the type resumes. */
  private List<Entry> parked = List.of();
  /** The primary moved: the next read goes on a new connection ({@link #primaryMoved}). */
  private boolean moved;
  private boolean stopping;
  /** Status changes of API jobs waiting for the end of this event-loop turn ({@link #announce}). */
  private JsonArray announcements = new JsonArray();
  /** Standard output went away: this lane reads no more, and what it read goes back to the others uncounted. */
  private boolean outputClosed;
  private boolean reclaiming;
  /** The reclaim in flight, if any: stop() waits for it. */
  private Future<Void> reclaim = Future.succeededFuture();
  private long drainUntil;
  /** The timer of a read loop waiting out a pause; -1 when the loop is not waiting. */
  private long pauseTimer = -1;
  private int failedAttempts;

  /** @param keys the partition whose streams of the type this lane reads ({@code queue}'s home, or another) */
  TypeLane(Vertx vertx, Redis redis, WorkerSettings settings, QueueSettings queue, StreamKeys keys, JobType type,
           String consumer, JobRunner runner, PausedTypes paused, OutageLog outage, NodeCounters counters) {
    this.vertx = vertx;
    this.redis = redis;
    this.settings = settings;
    this.type = type;
    this.consumer = consumer;
    this.keys = keys;
    this.streams = String.join(", ", Priority.queues(type.name()).stream().map(keys::stream).toList());
    this.records = new JobRecords(keys, queue.recordTtl());
    this.cache = new ResultCache(keys, queue.recordTtl());
    this.chains = new ChainScripts(keys, queue.recordTtl());
    this.runner = runner;
    this.maxDead = queue.maxDead();
    this.recordTtlSeconds = queue.recordTtl().toSeconds();
    Reclaimer.OnDead onDead = new Reclaimer.OnDead() {
      @Override
      public void dead(Job job, long attempts, String lastError) {
        counters.dead.increment();
        announce(job, new JsonObject().put("status", "dead").put("error", lastError).put("attempts", attempts));
      }

      @Override
      public void chainStopped(ChainScripts.ChainEvent event) {
        announce(event.root(), event.announcement());
      }
    };
    for (String typeQueue : Priority.queues(type.name())) {
      reclaimers.add(new Reclaimer(redis, keys, chains, type.name(), typeQueue, consumer, type.visibility(),
          settings.retryBackoff(), settings.maxAttempts(), queue.maxDead(), onDead));
    }
    this.paused = paused;
    this.outage = outage;
    this.counters = counters;
  }

  Future<Void> start() {
    return connect().onSuccess(v -> {
      readLoop();
      long period = reclaimers.get(0).periodMillis();
      // Jittered start, so the lanes of a node do not all scan at the same moment.
      vertx.setPeriodic(1 + ThreadLocalRandom.current().nextLong(period), period, t -> reclaimDue());
    });
  }

  Future<Void> stop() {
    stopping = true;
    drainUntil = System.currentTimeMillis() + DRAIN_MILLIS;
    // A reclaim in flight may be claiming entries for this consumer: it finishes before the consumer may leave.
    return drained.future()
        .compose(v -> reclaim.otherwiseEmpty())
        // Leaving is safe only when nothing of ours is pending: XGROUP DELCONSUMER forgets what a consumer holds, so
        // the check and the deletion are one script.
        .compose(v -> reader.leaveGroupIfIdle())
        .<Void>mapEmpty()
        .recover(err -> {
          log.warn("worker {}: could not leave the group of {}; what it holds stays claimable", consumer, streams, err);
          return Future.succeededFuture();
        })
        .eventually(() -> reader.close());
  }

  /** The type was resumed: a loop waiting out the pause reads at once instead of at its next look. */
  void resumed() {
    if (pauseTimer != -1 && vertx.cancelTimer(pauseTimer)) {
      pauseTimer = -1;
      readLoop();
    }
  }

  String type() {
    return type.name();
  }

  /**
   * The primary moved ({@code SentinelFollower}): the loop takes a new connection before its next read (a blocking read
   * in flight ends within the block timeout). Closing the connection now would not end that read: a connection from the
   * client goes back to its pool on close, still connected.
   */
  void primaryMoved() {
    moved = true;
  }


  private Future<Void> connect() {
    return redis.connect().map(connection -> {
      reader = new StreamReader(connection, keys, type.name(), consumer, settings.batchSize(), settings.blockTimeout());
      return null;
    });
  }

  private boolean isPaused() {
    return paused.contains(type.name());
  }

  private void readLoop() {
    if (outputClosed || (stopping && (System.currentTimeMillis() > drainUntil || isPaused()))) {
      drained.tryComplete();
      return;
    }
    if (moved) {
      moved = false;
      reconnectThenRead();
      return;
    }
    if (isPaused()) {
      pauseTimer = vertx.setTimer(PAUSE_CHECK_MILLIS, t -> {
        pauseTimer = -1;
        readLoop();
      });
      return;
    }
    Future<List<Entry>> next;
    if (!parked.isEmpty()) {
      List<Entry> held = parked;
      parked = List.of();
      // Kept only if still ours (idle time reset, no delivery counted): one another worker claimed meanwhile is its.
      next = reader.keepIfMine(held);
    } else {
      // Back-pressure: a handler whose output is behind (a slow pipe) is given no more until it has room.
      next = type.handler().ready().compose(v -> reader.next(!stopping)).onSuccess(reader::adapt);
    }
    next.compose(this::runAndSettle)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            outage.success();
            failedAttempts = 0;
            if (stopping && ar.result() == 0) {
              drained.tryComplete();
            } else {
              readLoop();
            }
          } else {
            outage.failure(consumer + ": read or acknowledge on " + streams, ar.cause());
            retryAfterBackoff();
          }
        });
  }

  private Future<Integer> runAndSettle(List<Entry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture(0);
    }
    if (isPaused()) {
      parked = entries;
      return Future.succeededFuture(entries.size());
    }
    return settle(entries, false, reader::send).map(entries.size());
  }

  private void reclaimDue() {
    if (reclaiming || stopping || outputClosed || isPaused()) {
      return;
    }
    reclaiming = true;
    // The lane's own connection may be parked in a blocking read: claimed entries settle through the pool.
    Future<Void> all = Future.succeededFuture();
    for (Reclaimer reclaimer : reclaimers) {
      all = all.compose(v -> reclaimer.claimDue())
          .compose(entries -> settle(entries, true, requests -> InOrderBatches.send(requests, redis::batch)));
    }
    reclaim = all
        .onComplete(ar -> {
          reclaiming = false;
          if (ar.succeeded()) {
            outage.success();
          } else {
            outage.failure(consumer + ": claiming overdue jobs of " + streams, ar.cause());
          }
        });
  }

  /**
   * The one way entries are run: their tracked jobs marked running, every job through the runner, then the outcome
   * written to Redis in one round trip (acknowledgement of the finished entries, errors of the others) and announced.
   *
   * @param retried the entries may carry errors and finished jobs noted by earlier attempts, to be cleared
   */
  private Future<Void> settle(List<Entry> entries, boolean retried, Function<List<Request>, Future<List<Response>>> send) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> marks = markRunning(entries);
    // A live worker keeps what it holds: a read whose writes or jobs take longer than the visibility timeout (a busy
    // machine, a read of 32,000 API jobs) is not taken for a dead worker's. The job timeout still bounds each job.
    long heartbeat = vertx.setPeriodic(Math.max(100, type.visibility().toMillis() / 3), t -> keepHolding(entries));
    return send.apply(marks)
        .compose(replies -> {
          Set<String> canceled = marks.isEmpty() ? Set.of() : new HashSet<>(JobCancel.canceledIds(replies));
          announceRunning(entries, canceled);
          return runner.runAll(entries, canceled);
        })
        .compose(settlement -> send.apply(settlement.requests(keys, records, chains, cache, retried, maxDead))
            .compose(replies -> giveBack(settlement.givenBackByQueue())
                .onSuccess(v -> settled(settlement, replies))))
        .onComplete(ar -> vertx.cancelTimer(heartbeat));
  }

  /** Resets the idle time of the entries this consumer still holds (no delivery counted), on the pooled client. */
  private void keepHolding(List<Entry> entries) {
    Map<String, List<String>> byQueue = new java.util.LinkedHashMap<>();
    entries.forEach(e -> byQueue.computeIfAbsent(e.queue(), q -> new ArrayList<>()).add(e.entryId()));
    byQueue.forEach((queue, ids) -> GroupScripts.keepIfMine(redis, keys.stream(queue), consumer, ids)
        .onFailure(err -> outage.failure(consumer + ": keeping hold of its entries of " + keys.stream(queue), err)));
  }

  /**
   * Entries whose lines could not be printed because standard output closed (| head, a dead pipe) go back to the
   * group as they were: no attempt counted, claimable by another node at once. This lane stops reading, so a node
   * whose output is gone never burns the attempts of a backlog it cannot print.
   */
  private Future<Void> giveBack(Map<String, List<String>> entryIdsByQueue) {
    if (entryIdsByQueue.isEmpty()) {
      return Future.succeededFuture();
    }
    if (!outputClosed) {
      outputClosed = true;
      log.info("worker {}: standard output is closed; {} stops reading and gives back what it held", consumer, streams);
    }
    Future<Void> given = Future.succeededFuture();
    for (Map.Entry<String, List<String>> queue : entryIdsByQueue.entrySet()) {
      given = given.compose(v -> GroupScripts.giveBack(redis, keys.stream(queue.getKey()), consumer,
          type.visibility().toMillis(), queue.getValue()).mapEmpty());
    }
    return given;
  }

  /**
   * The request that marks the tracked jobs running, in one step with the check that they were not canceled (none if
   * there are no tracked jobs). A canceled job is announced when it settles, not as running.
   */
  private List<Request> markRunning(List<Entry> entries) {
    List<String> ids = new ArrayList<>(0);
    List<Long> attempts = new ArrayList<>(0);
    for (Entry entry : entries) {
      for (Job job : entry.jobs()) {
        if (job.tracked()) {
          ids.add(job.id());
          attempts.add(entry.deliveries());
        }
      }
    }
    return JobCancel.startRunning(keys, recordTtlSeconds, consumer, System.currentTimeMillis(), ids, attempts);
  }

  private void announceRunning(List<Entry> entries, Set<String> canceled) {
    for (Entry entry : entries) {
      for (Job job : entry.jobs()) {
        if (job.tracked() && !canceled.contains(job.id())) {
          announce(job, new JsonObject().put("status", "running").put("attempts", entry.deliveries()).put("worker", consumer));
        }
      }
    }
  }

  /**
   * The settlement is in Redis: printed jobs count now, and whoever follows a tracked job (the page that
   * submitted it) hears how its attempt ended.
   */
  private void settled(Settlement settlement, List<Response> replies) {
    List<Response> recordReplies = replies.subList(0, settlement.recordRequests());
    Set<String> canceledOnFailure = settlement.canceledOnFailure(replies);
    if (Job.PRINT.equals(type.name())) {
      counters.printed.add(settlement.finishedJobs());
    }
    Set<String> canceled = ChainScripts.canceled(recordReplies); // a cancel overtook their ends: they stay canceled
    Set<String> chainRoots = new HashSet<>();
    ChainScripts.events(recordReplies).forEach(event -> {
      if (event.root().equals(event.jobId())) {
        chainRoots.add(event.root()); // its followers follow the chain, not its first job
      }
      announce(event.root(), event.announcement());
    });
    for (Settlement.Outcome outcome : settlement.outcomes()) {
      long attempts = outcome.entry().deliveries();
      outcome.finished().stream().filter(done -> !chainRoots.contains(done.job().id()))
          .forEach(done -> announce(done.job(), done.canceled() || canceled.contains(done.job().id())
              ? new JsonObject().put("status", "canceled").put("attempts", attempts)
              : new JsonObject().put("status", "completed").put("attempts", attempts)
                  .put("result", done.result() == null ? new JsonObject() : done.result())));
      if (outcome.outputClosed()) {
        continue; // given back: not a failed attempt
      }
      outcome.failed().forEach(failed -> announce(failed.job(), canceledOnFailure.contains(failed.job().id())
          ? new JsonObject().put("status", "canceled").put("attempts", attempts)
          : new JsonObject().put("status", "failed").put("attempts", attempts).put("error", failed.error())));
    }
  }

  /**
   * Changes of one event-loop turn go out together, as one cluster-wide message ({@link StatsAddresses#JOB_EVENTS}):
   * a publish to each job's own address would look up its listeners in the cluster's registry, job by job.
   */
  private void announce(Job job, JsonObject event) {
    if (job.tracked()) {
      announce(job.id(), event);
    }
  }

  private void announce(String jobId, JsonObject event) {
    if (announcements.isEmpty()) {
      vertx.runOnContext(v -> {
        JsonArray events = announcements;
        announcements = new JsonArray();
        vertx.eventBus().publish(StatsAddresses.JOB_EVENTS, events);
      });
    }
    announcements.add(event.put("id", jobId));
  }

  private void retryAfterBackoff() {
    long delay = Backoff.RECONNECT.delayMillis(++failedAttempts);
    vertx.setTimer(delay, t -> {
      if (stopping) {
        drained.tryComplete();
        return;
      }
      reconnectThenRead();
    });
  }

  /**
   * A new dedicated connection, then the next read. The old one may be dead (Redis restarted) and the group gone with
   * it, or on a primary that moved away: start afresh. Anything this throws fails the future and comes back to a
   * retry, so the retries never stop while the node runs.
   */
  private void reconnectThenRead() {
    Future.<Void>succeededFuture()
        .compose(v -> reader.close())
        .transform(ignored -> StreamGroup.ensureAll(redis, keys, List.of(type.name())))
        .compose(v -> connect())
        .onComplete(ar -> {
          if (ar.succeeded()) {
            readLoop();
          } else {
            outage.failure(consumer + ": reconnect to " + streams, ar.cause());
            retryAfterBackoff();
          }
        });
  }
}
