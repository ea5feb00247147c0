package hwaas.worker;

import hwaas.chain.ChainScripts;
import hwaas.jobs.Job;
import hwaas.jobs.JobType;
import hwaas.queue.GroupScripts;
import hwaas.queue.JobCancel;
import hwaas.queue.JobRecords;
import hwaas.queue.Priority;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueSettings;
import hwaas.queue.ResultCache;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import hwaas.stats.StatsAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.security.SecureRandom;

/**
 * Jobs of declared types worked by external workers over HTTP. This node reads a type's streams, in every partition
 * (a Redis Cluster spreads them as it spreads any API job), as the consumer {@code <node>-ext-<type>}, like a worker
 * lane does, and hands each job out under a lease of its own; the entry stays
 * pending meanwhile. When every job of an entry is settled (completed, failed, or found canceled) the entry is settled
 * through {@link Settlement}, the path of built-in jobs: records, results, chains, counters and the audit of
 * acknowledgements are the same. A lease not settled in time is forgotten here; its entry, idle for longer than the
 * lease, is claimed again by the {@link Reclaimer} of the next fetch of the type on any node (an attempt counted,
 * backoff after a failure, dead letters after --max-attempts). Used on one event loop (the HTTP verticle's).
 */
public final class ExternalWork {
  private static final Logger log = LoggerFactory.getLogger(ExternalWork.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** A lease expires here this much before its entry may be claimed elsewhere: a late settlement is refused, not doubled. */
  private static final long GRACE_MILLIS = 1_000;
  /** New-entry reads a fetch makes at most to fill its max, in each partition. */
  private static final int READS_PER_FETCH = 4;
  /**
   * On several partitions (a Redis Cluster), a waiting fetch waits on each in turn this long at most: a blocking read
   * waits on one primary, so a job that arrives in another is seen within (partitions - 1) such waits.
   */
  static final long WAIT_SLICE_MILLIS = 100;

  /** A lease is unknown, expired or already settled. */
  public static final class LeaseGone extends RuntimeException {
    LeaseGone(String message) {
      super(message, null, false, false);
    }
  }

  /** A lease whose job was canceled while its worker held it: settling it changes nothing (409). */
  public static final class LeaseCanceled extends RuntimeException {
    LeaseCanceled(String message) {
      super(message, null, false, false);
    }
  }

  private final Vertx vertx;
  private final Redis redis;
  /** Each partition's keys and requests: a declared type's jobs are spread over them as any API job is. */
  private final List<Place> places;
  private final String consumerPrefix;
  private final Duration lease;
  private final Duration retryBackoff;
  private final int maxAttempts;
  private final long maxDead;
  private final long recordTtlSeconds;
  private final ReaderPool readers;
  private final Redis readerClient;
  /** Per declared type, one state per partition, in partition order. */
  private final Map<String, List<TypeState>> types = new HashMap<>();
  /** The partition the next fetch starts at: each in turn, so that no partition's jobs wait behind another's. */
  private int nextPartition;
  private final Map<String, JobLease> leases = new HashMap<>();
  /** Leases whose jobs were canceled, with when they would have expired: named as canceled until then. */
  private final Map<String, CanceledLease> canceledLeases = new HashMap<>();
  /**
   * Cancels of running jobs this node held no lease for, with when: one that overtakes the lease being made (the
   * start-running script answered, its lease not yet made) is applied to it. Kept {@value #RECENT_CANCEL_MILLIS} ms.
   */
  private final Map<String, Long> recentCancels = new HashMap<>();
  private static final long RECENT_CANCEL_MILLIS = 10_000;
  private final MessageConsumer<JsonObject> cancels;
  private final long sweepTimer;

  /**
   * @param readerClient   the client whose connections the fetches' reads hold (a waiting read parks one): not
   *                       {@code redis}, whose pool the other commands need; closed with this
   * @param consumerPrefix names this node's consumers: {@code <prefix>-ext-<type>}
   * @param maxWaiting     the most dedicated connections for waiting fetches
   */
  public ExternalWork(Vertx vertx, Redis redis, Redis readerClient, QueueSettings queue, String consumerPrefix, Duration lease,
                      int maxAttempts, Duration retryBackoff, int maxWaiting) {
    this.vertx = vertx;
    this.redis = redis;
    this.places = queue.partitionKeys().all().stream().map(keys -> new Place(keys, new JobRecords(keys, queue.recordTtl()),
        new ResultCache(keys, queue.recordTtl()), new ChainScripts(keys, queue.recordTtl()))).toList();
    this.consumerPrefix = consumerPrefix;
    this.lease = lease;
    this.retryBackoff = retryBackoff;
    this.maxAttempts = maxAttempts;
    this.maxDead = queue.maxDead();
    this.recordTtlSeconds = queue.recordTtl().toSeconds();
    this.readerClient = readerClient;
    this.readers = new ReaderPool(readerClient, maxWaiting);
    this.sweepTimer = vertx.setPeriodic(1_000, t -> forgetExpired());
    // A cancel of a running job is told to every node (JobCancel); the node that leased it settles it as canceled.
    this.cancels = vertx.eventBus().consumer(QueueAddresses.CANCEL, m -> canceled(m.body().getString("id")));
  }

  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return Future.join(cancels.unregister(), readers.close()).eventually(() -> readerClient.close()).mapEmpty();
  }

  /** The primary moved ({@code SentinelFollower}): no reader of the old one is used again. */
  public void primaryMoved() {
    readers.primaryMoved();
  }

  /**
   * The job {@code jobId} was canceled (its record says so already): if this node holds it under a lease, the lease
   * is released and the job settled as canceled, as a worker lane settles a job it stopped; the worker's later
   * complete, fail or extend of the lease is refused ({@link LeaseCanceled}) and changes nothing.
   */
  private void canceled(String jobId) {
    if (jobId == null) {
      return;
    }
    String leaseId = null;
    for (Map.Entry<String, JobLease> held : leases.entrySet()) {
      if (held.getValue().job.id().equals(jobId)) {
        leaseId = held.getKey();
        break;
      }
    }
    if (leaseId == null) {
      recentCancels.put(jobId, System.currentTimeMillis());
      return;
    }
    JobLease lease = leases.remove(leaseId);
    EntryLease entry = lease.entry;
    canceledLeases.put(leaseId, new CanceledLease(jobId, entry.expiresAt));
    entry.open.remove(jobId);
    entry.done.add(new Settlement.Done(lease.job, null, true));
    if (entry.open.isEmpty()) {
      write(entry).onFailure(err -> log.warn("{}: the entry {} of canceled job {} could not be settled; it is offered "
          + "again after its lease, and the job skipped as canceled", entry.state.consumer, entry.entry.entryId(), jobId, err));
    }
  }

  /**
   * Up to {@code max} entries' jobs of {@code type} (claimed again first, then new ones by priority), each leased;
   * waits up to {@code wait} for new ones when there are none.
   *
   * @return {"id", "type", "payload", "attempts", "lease", "leaseExpiresAt"} of each job handed out
   */
  public Future<JsonArray> fetch(String type, int max, Duration wait) {
    List<TypeState> all = types.computeIfAbsent(type, this::statesOf);
    List<TypeState> order = new ArrayList<>(all.size());
    int first = nextPartition % all.size();
    nextPartition = (first + 1) % all.size();
    for (int i = 0; i < all.size(); i++) {
      order.add(all.get((first + i) % all.size()));
    }
    JsonArray out = new JsonArray(new ArrayList<>());
    Future<Void> claimed = Future.succeededFuture();
    for (TypeState state : order) {
      claimed = claimed.compose(v -> state.reclaimIfDue()).compose(v -> {
        List<Entry> entries = new ArrayList<>();
        state.takeReady(max - out.size(), entries);
        return lease(state, entries);
      }).map(v -> {
        handOut(state, max, out);
        return null;
      });
    }
    return claimed.compose(v -> {
      if (out.size() >= max) {
        return Future.succeededFuture(out);
      }
      Duration mayWait = out.isEmpty() && wait.toMillis() > 0 ? wait : Duration.ZERO;
      if (order.size() == 1) {
        return readNew(order.get(0), max, out, mayWait, READS_PER_FETCH);
      }
      Future<JsonArray> read = Future.succeededFuture(out);
      for (TypeState state : order) {
        read = read.compose(o -> o.size() >= max ? Future.succeededFuture(o) : readNew(state, max, o, Duration.ZERO, READS_PER_FETCH));
      }
      long deadline = System.currentTimeMillis() + mayWait.toMillis();
      return read.compose(o -> o.isEmpty() && mayWait.toMillis() > 0 ? awaitNew(order, 0, max, o, deadline) : Future.succeededFuture(o));
    });
  }

  /** A declared type's state in each partition. */
  private List<TypeState> statesOf(String type) {
    return places.stream().map(place -> new TypeState(type, place)).toList();
  }

  /**
   * Waits for new entries on several partitions, on each in turn for {@link #WAIT_SLICE_MILLIS} at most (a blocking
   * read waits on one primary), until one brings jobs or the fetch's wait is over.
   */
  private Future<JsonArray> awaitNew(List<TypeState> order, int next, int max, JsonArray out, long deadline) {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      return Future.succeededFuture(out);
    }
    Duration slice = Duration.ofMillis(Math.min(left, WAIT_SLICE_MILLIS));
    return readNew(order.get(next), max, out, slice, READS_PER_FETCH).compose(o -> o.isEmpty()
        ? awaitNew(order, (next + 1) % order.size(), max, o, deadline) : Future.succeededFuture(o));
  }

  /**
   * Reads new entries until {@code out} holds {@code max} jobs, the streams are empty or {@code reads} reads were made.
   * Entries hold one job or many (up to 1000, submitted together): each read asks for as many entries as the jobs per
   * entry seen last suggest, so a fetch of 100 does not lease a backlog of 100,000 jobs. Only the first may wait.
   */
  private Future<JsonArray> readNew(TypeState state, int max, JsonArray out, Duration wait, int reads) {
    int count = Math.max(1, (max - out.size()) / state.jobsPerEntry);
    boolean block = wait.toMillis() > 0;
    StreamKeys keys = state.place.keys();
    return readers.read(keys, state.type, state.consumer, count, wait, block)
        .recover(err -> String.valueOf(err.getMessage()).startsWith("NOGROUP")
            // Redis lost the group (a restart without persistence): made again, read once more.
            ? StreamGroup.ensureAll(redis, keys, List.of(state.type))
                .compose(x -> readers.read(keys, state.type, state.consumer, count, Duration.ZERO, false))
            : Future.failedFuture(err))
        .compose(read -> {
          if (!read.isEmpty()) {
            state.jobsPerEntry = Math.max(1, read.stream().mapToInt(e -> e.jobs().size()).sum() / read.size());
          }
          return lease(state, read).compose(x -> {
            handOut(state, max, out);
            return out.size() < max && read.size() >= count && reads > 1
                ? readNew(state, max, out, Duration.ZERO, reads - 1) : Future.succeededFuture(out);
          });
        });
  }

  /**
   * Up to {@code max} jobs in all from the type's leased jobs not yet handed out (an entry may hold more jobs than a
   * fetch asks for; the rest wait here, under their entry's lease, for the next fetch on this node).
   */
  private void handOut(TypeState state, int max, JsonArray out) {
    long now = System.currentTimeMillis();
    while (out.size() < max && !state.unhanded.isEmpty()) {
      String leaseId = state.unhanded.poll();
      JobLease lease = leases.get(leaseId);
      if (lease == null || now > lease.entry.expiresAt) {
        continue; // its entry expired: offered again whole
      }
      Job job = lease.job;
      out.add(new JsonObject().put("id", job.id()).put("type", lease.entry.state.type).put("payload", job.payload())
          .put("attempts", lease.entry.entry.deliveries()).put("lease", leaseId)
          .put("leaseExpiresAt", Instant.ofEpochMilli(lease.entry.expiresAt).toString()));
    }
  }

  public Future<JsonObject> complete(String leaseId, JsonObject result) {
    return settle(leaseId, lease -> lease.entry.done.add(new Settlement.Done(lease.job, result == null ? new JsonObject() : result, false)))
        .map(id -> new JsonObject().put("id", id).put("status", "completed"));
  }

  /**
   * Completes many leased jobs in one call: {@code leaseIds} with their {@code results}, in order. Leases that are
   * gone (settled, expired, unknown) or whose jobs were canceled are named in the answer and change nothing.
   *
   * @return {"completed": n, "gone": [lease, ...], "canceled": [lease, ...]}
   */
  public Future<JsonObject> completeAll(List<String> leaseIds, List<JsonObject> results) {
    JsonArray gone = new JsonArray();
    JsonArray canceled = new JsonArray();
    List<Future<String>> settled = new ArrayList<>(leaseIds.size());
    for (int i = 0; i < leaseIds.size(); i++) {
      JsonObject result = results.get(i) == null ? new JsonObject() : results.get(i);
      String leaseId = leaseIds.get(i);
      if (!leases.containsKey(leaseId)) {
        (canceledLeases.containsKey(leaseId) ? canceled : gone).add(leaseId);
        continue;
      }
      settled.add(settle(leaseId, lease -> lease.entry.done.add(new Settlement.Done(lease.job, result, false)))
          .recover(err -> {
            if (err instanceof LeaseGone || err instanceof LeaseCanceled) {
              (err instanceof LeaseCanceled ? canceled : gone).add(leaseId);
              return Future.succeededFuture();
            }
            return Future.failedFuture(err);
          }));
    }
    return Future.all(settled).map(all -> new JsonObject().put("completed", leaseIds.size() - gone.size() - canceled.size())
        .put("gone", gone).put("canceled", canceled));
  }

  public Future<JsonObject> fail(String leaseId, String error) {
    return settle(leaseId, lease -> lease.entry.failed.add(new Settlement.Failed(lease.job, error)))
        .map(id -> new JsonObject().put("id", id).put("status", "failed"));
  }

  /**
   * Keeps the lease, and those of the other jobs of its entry, for another lease time; records progress if given. The
   * record is read in the same round trip: a job canceled before this node heard of it is settled as canceled now, and
   * the extend refused ({@link LeaseCanceled}), so that its worker stops.
   */
  public Future<JsonObject> extend(String leaseId, JsonObject progress) {
    JobLease lease;
    try {
      lease = live(leaseId);
    } catch (LeaseGone | LeaseCanceled e) {
      return Future.failedFuture(e);
    }
    EntryLease entry = lease.entry;
    String jobId = lease.job.id();
    boolean tracked = lease.job.tracked();
    List<Request> writes = new ArrayList<>(2);
    writes.add(resetIdle(entry));
    if (tracked) {
      JobRecords records = entry.state.place.records();
      writes.add(progress != null ? records.progress(jobId, progress.encode()) : records.status(jobId));
    }
    entry.touchedAt = System.currentTimeMillis();
    entry.expiresAt = entry.touchedAt + lease().toMillis();
    return redis.batch(writes).compose(replies -> {
      Response status = tracked ? replies.get(1) : null;
      if (status != null && "canceled".equals(status.toString())) {
        canceled(jobId);
        return Future.failedFuture(canceledError(jobId, leaseId));
      }
      if (progress != null && tracked) {
        vertx.eventBus().publish(StatsAddresses.JOB_EVENTS,
            new JsonArray().add(new JsonObject().put("id", jobId).put("progress", progress)));
      }
      return Future.succeededFuture(new JsonObject().put("lease", leaseId)
          .put("leaseExpiresAt", Instant.ofEpochMilli(entry.expiresAt).toString()));
    });
  }

  /** How long a lease lasts. */
  public Duration lease() {
    return lease;
  }

  private JobLease live(String leaseId) {
    JobLease lease = leases.get(leaseId);
    CanceledLease canceled = lease == null ? canceledLeases.get(leaseId) : null;
    if (canceled != null) {
      throw canceledError(canceled.jobId(), leaseId);
    }
    if (lease == null) {
      throw new LeaseGone("no lease " + leaseId + " on this node: it was settled, it expired (its job is offered again), "
          + "or another node gave it");
    }
    if (System.currentTimeMillis() > lease.entry.expiresAt) {
      forget(lease.entry);
      throw new LeaseGone("the lease " + leaseId + " expired; its job is offered again");
    }
    return lease;
  }

  private static LeaseCanceled canceledError(String jobId, String leaseId) {
    return new LeaseCanceled("the job " + jobId + " of lease " + leaseId + " was canceled; its lease is released and "
        + "its outcome not kept: stop working on it");
  }

  private Future<String> settle(String leaseId, java.util.function.Consumer<JobLease> outcome) {
    JobLease lease;
    try {
      lease = live(leaseId);
    } catch (LeaseGone | LeaseCanceled e) {
      return Future.failedFuture(e);
    }
    leases.remove(leaseId);
    EntryLease entry = lease.entry;
    entry.open.remove(lease.job.id());
    outcome.accept(lease);
    if (entry.open.isEmpty()) {
      // The cancel's word may come after the worker's answer (the canceller got its own answer first): Redis decides.
      return write(entry).compose(canceled -> {
        if (!canceled.contains(lease.job.id())) {
          return Future.succeededFuture(lease.job.id());
        }
        canceledLeases.put(leaseId, new CanceledLease(lease.job.id(), entry.expiresAt));
        return Future.failedFuture(canceledError(lease.job.id(), leaseId));
      });
    }
    // The others of its entry are being worked through: their lease runs on, and the entry's idle time is reset (at
    // most every half lease, one command) so that no reclaimer takes it from under them.
    long now = System.currentTimeMillis();
    if (now - entry.touchedAt < lease().toMillis() / 2) {
      return Future.succeededFuture(lease.job.id());
    }
    entry.touchedAt = now;
    entry.expiresAt = now + lease().toMillis();
    return redis.send(resetIdle(entry)).map(lease.job.id());
  }

  private Request resetIdle(EntryLease entry) {
    return Request.cmd(Command.XCLAIM).arg(entry.state.place.keys().stream(entry.entry.queue())).arg(StreamKeys.GROUP)
        .arg(entry.state.consumer)
        .arg(0).arg(entry.entry.entryId()).arg("JUSTID");
  }

  /**
   * Jobs fetched for a caller that went away before the answer (a waiting fetch whose worker died): their entries go
   * back at once, no attempt counted, for the next fetch to take.
   */
  public Future<Void> release(JsonArray fetched) {
    Set<EntryLease> entries = new HashSet<>();
    fetched.forEach(o -> {
      JobLease lease = leases.get(((JsonObject) o).getString("lease"));
      if (lease != null) {
        entries.add(lease.entry);
      }
    });
    Future<Void> all = Future.succeededFuture();
    for (EntryLease entry : entries) {
      forget(entry);
      all = all.compose(v -> GroupScripts.giveBack(redis, entry.state.place.keys().stream(entry.entry.queue()), entry.state.consumer,
          lease.toMillis() + GRACE_MILLIS, List.of(entry.entry.entryId())).mapEmpty());
    }
    return all;
  }

  /** Hands out the jobs of these entries, each under its lease, after marking them running (canceled ones are not). */
  private Future<Void> lease(TypeState state, List<Entry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    String consumer = state.consumer;
    List<String> ids = new ArrayList<>();
    List<Long> attempts = new ArrayList<>();
    entries.forEach(entry -> entry.jobs().stream().filter(Job::tracked).forEach(job -> {
      ids.add(job.id());
      attempts.add(entry.deliveries());
    }));
    Future<Set<String>> canceled = ids.isEmpty() ? Future.succeededFuture(Set.of())
        : redis.batch(JobCancel.startRunning(state.place.keys(), recordTtlSeconds, consumer, System.currentTimeMillis(), ids, attempts))
            .map(replies -> new HashSet<>(JobCancel.canceledIds(replies)));
    return canceled.compose(skip -> {
      long expiresAt = System.currentTimeMillis() + lease.toMillis();
      JsonArray running = new JsonArray();
      List<Future<Void>> settledNow = new ArrayList<>();
      for (Entry entry : entries) {
        EntryLease held = new EntryLease(state, entry, expiresAt);
        for (Job job : entry.jobs()) {
          if (skip.contains(job.id()) || recentCancels.remove(job.id()) != null) {
            held.done.add(new Settlement.Done(job, null, true));
            continue;
          }
          String id = newLeaseId();
          held.open.put(job.id(), id);
          leases.put(id, new JobLease(held, job));
          state.unhanded.add(id);
          if (job.tracked()) {
            running.add(new JsonObject().put("id", job.id()).put("status", "running").put("attempts", entry.deliveries())
                .put("worker", consumer));
          }
        }
        if (held.open.isEmpty()) {
          settledNow.add(write(held).mapEmpty()); // all canceled, or an unreadable entry (dead-lettered)
        }
      }
      if (!running.isEmpty()) {
        vertx.eventBus().publish(StatsAddresses.JOB_EVENTS, running);
      }
      return Future.all(settledNow).mapEmpty();
    });
  }

  /**
   * The entry's settlement, written in one round trip as a worker lane writes it, then announced.
   *
   * @return the ids of its jobs found canceled as they were settled (completed or failed): their outcomes were dropped
   */
  private Future<Set<String>> write(EntryLease held) {
    JobType type = new JobType(held.state.type, null, lease, lease.plusMillis(GRACE_MILLIS), false);
    Settlement settlement = new Settlement(type, List.of(new Settlement.Outcome(held.entry, held.done, held.failed, false)));
    Place place = held.state.place;
    List<Request> requests = settlement.requests(place.keys(), place.records(), place.chains(), place.cache(),
        held.entry.deliveries() > 1, maxDead);
    return redis.batch(requests).map(replies -> {
      List<Response> recordReplies = replies.subList(0, settlement.recordRequests());
      Set<String> canceledOnFailure = settlement.canceledOnFailure(replies);
      Set<String> canceled = ChainScripts.canceled(recordReplies);
      JsonArray events = new JsonArray();
      Set<String> chainRoots = new HashSet<>();
      for (ChainScripts.ChainEvent event : ChainScripts.events(recordReplies)) {
        if (event.root().equals(event.jobId())) {
          chainRoots.add(event.root());
        }
        events.add(event.announcement().put("id", event.root()));
      }
      long attempts = held.entry.deliveries();
      held.done.stream().filter(d -> d.job().tracked() && !chainRoots.contains(d.job().id())).forEach(d -> events.add(
          d.canceled() || canceled.contains(d.job().id())
          ? new JsonObject().put("id", d.job().id()).put("status", "canceled").put("attempts", attempts)
          : new JsonObject().put("id", d.job().id()).put("status", "completed").put("attempts", attempts).put("result", d.result())));
      held.failed.stream().filter(f -> f.job().tracked()).forEach(f -> events.add(canceledOnFailure.contains(f.job().id())
          ? new JsonObject().put("id", f.job().id()).put("status", "canceled").put("attempts", attempts)
          : new JsonObject().put("id", f.job().id()).put("status", "failed").put("attempts", attempts).put("error", f.error())));
      if (!events.isEmpty()) {
        vertx.eventBus().publish(StatsAddresses.JOB_EVENTS, events);
      }
      Set<String> found = new HashSet<>(canceled);
      found.addAll(canceledOnFailure);
      return found;
    });
  }

  private void forgetExpired() {
    long now = System.currentTimeMillis();
    Set<EntryLease> expired = new HashSet<>();
    leases.values().stream().filter(l -> now > l.entry.expiresAt).forEach(l -> expired.add(l.entry));
    expired.forEach(this::forget);
    canceledLeases.values().removeIf(c -> now > c.expiresAt() + lease.toMillis());
    recentCancels.values().removeIf(at -> now - at > RECENT_CANCEL_MILLIS);
  }

  /** Its jobs' leases go; what was settled of it is dropped too, as the whole entry is offered again. */
  private void forget(EntryLease entry) {
    entry.open.values().forEach(leases::remove);
    entry.open.clear();
  }

  private static String newLeaseId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** One stream entry handed out: its jobs still leased (job id to lease id), and the outcomes of the others. */
  private static final class EntryLease {
    /** The type and partition it was read from. */
    final TypeState state;
    final Entry entry;
    final Map<String, String> open = new HashMap<>();
    final List<Settlement.Done> done = new ArrayList<>();
    final List<Settlement.Failed> failed = new ArrayList<>();
    long expiresAt;
    /** When the entry's idle time in Redis was last reset (XCLAIM JUSTID to its own consumer, no delivery counted). */
    long touchedAt;

    EntryLease(TypeState state, Entry entry, long expiresAt) {
      this.state = state;
      this.entry = entry;
      this.expiresAt = expiresAt;
      this.touchedAt = System.currentTimeMillis();
    }
  }

  private record JobLease(EntryLease entry, Job job) {
  }

  private record CanceledLease(String jobId, long expiresAt) {
  }

  /** A partition's keys, and the requests built with them. */
  private record Place(StreamKeys keys, JobRecords records, ResultCache cache, ChainScripts chains) {
  }

  /**
   * What this node keeps per declared type and partition: its consumer, its reclaimers (one per priority), entries
   * claimed again.
   */
  private final class TypeState {
    final String type;
    final Place place;
    final String consumer;
    final List<Reclaimer> reclaimers = new ArrayList<>();
    /** Jobs per entry in the last read of new entries (the next read asks for as many entries as fill the fetch). */
    int jobsPerEntry = 1_000; // unknown: the first read takes one entry
    /** Lease ids of jobs read but not handed out yet, in order. */
    final ArrayDeque<String> unhanded = new ArrayDeque<>();
    /** Entries claimed again, by entry id, with when: one kept longer than half a lease is left to the next claim. */
    final Map<String, Entry> ready = new LinkedHashMap<>();
    final Map<String, Long> claimedAt = new HashMap<>();
    long nextReclaim;
    Future<Void> reclaiming;

    TypeState(String type, Place place) {
      this.type = type;
      this.place = place;
      consumer = consumerPrefix + "-ext-" + type;
      Reclaimer.OnDead onDead = (job, attempts, error) -> {
        if (job.tracked()) {
          vertx.eventBus().publish(StatsAddresses.JOB_EVENTS, new JsonArray().add(new JsonObject().put("id", job.id())
              .put("status", "dead").put("error", error).put("attempts", attempts)));
        }
      };
      for (String queue : Priority.queues(type)) {
        reclaimers.add(new Reclaimer(redis, place.keys(), place.chains(), type, queue, consumer, lease.plusMillis(GRACE_MILLIS),
            retryBackoff, maxAttempts, maxDead, onDead));
      }
    }

    void takeReady(int max, List<Entry> into) {
      long stale = System.currentTimeMillis() - lease.toMillis() / 2;
      var it = ready.values().iterator();
      while (into.size() < max && it.hasNext()) {
        Entry entry = it.next();
        it.remove();
        if (claimedAt.remove(entry.entryId()) >= stale) {
          into.add(entry);
        }
      }
    }

    /** Claims what is due, at most once per reclaim period, one sweep at a time; claimed entries wait in {@link #ready}. */
    Future<Void> reclaimIfDue() {
      long now = System.currentTimeMillis();
      if (reclaiming != null || now < nextReclaim) {
        return Future.succeededFuture();
      }
      nextReclaim = now + reclaimers.get(0).periodMillis();
      Future<Void> all = Future.succeededFuture();
      for (Reclaimer reclaimer : reclaimers) {
        all = all.compose(v -> reclaimer.claimDue()).map(claimed -> {
          long at = System.currentTimeMillis();
          claimed.forEach(entry -> {
            ready.put(entry.entryId(), entry);
            claimedAt.put(entry.entryId(), at);
          });
          return null;
        });
      }
      reclaiming = all;
      return all.onComplete(ar -> reclaiming = null)
          .recover(err -> {
            log.warn("{}: claiming expired leases failed; tried again at the next fetch", consumer, err);
            return Future.succeededFuture();
          });
    }
  }
}
