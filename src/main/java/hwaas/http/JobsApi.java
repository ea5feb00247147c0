package hwaas.http;

import hwaas.chain.ChainScripts;
import hwaas.chain.ChainSpec;
import hwaas.jobs.Job;
import hwaas.jobs.JobBatch;
import hwaas.jobs.JobContract;
import hwaas.queue.JobRecords;
import hwaas.queue.LocalSubmission;
import hwaas.queue.PartitionedRecords;
import hwaas.queue.Partitions;
import hwaas.queue.PipelinedConnection;
import hwaas.queue.Priority;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueFailure;
import hwaas.queue.QueueSettings;
import hwaas.queue.RedisPairs;
import hwaas.queue.ResultCache;
import hwaas.jobs.JobHandlers;
import hwaas.jobs.JobType;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * {@code /api/jobs}: submit a job or a batch, follow it, list a client's jobs. Submissions are checked here against the
 * contract; the other requests were checked by the router.
 */
final class JobsApi {
  /**
   * Ids without a key: 40 random bits drawn once per start, then a counter from a random point (40 bits more). Unique
   * per node by the counter, between nodes and starts by the random part, and a SecureRandom draw per job (a SHA-1
   * round each, a tenth of a batch's time) is saved.
   */
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID_PREFIX = HexFormat.of().toHexDigits(RANDOM.nextLong()).substring(6);
  private static final AtomicLong NEXT_ID = new AtomicLong(RANDOM.nextLong() & 0xFF_FFFF_FFFFL);
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,128}");

  private final Vertx vertx;
  /**
   * The HTTP verticle's shared connection: an Idempotency-Key's claim, a cache lookup and a chain's creation travel
   * with the reads of jobs, pipelined, instead of taking a pooled connection each (a third more keyed submissions).
   */
  private final PipelinedConnection shared;
  private final JobHandlers types;
  /** Each job's record, cached result and chain live in its partition ({@link #partitionOf}): one of each per partition. */
  private final PartitionedRecords records;
  private final List<ResultCache> caches;
  private final List<ChainScripts> chains;
  private final Partitions partitions;
  private final DeliveryOptions delivery;
  private final JobContract contract;
  private final Duration maxDelay;
  /** The partition of the next job that no key places: round robin, on this verticle's event loop only. */
  private int nextPartition;

  JobsApi(Vertx vertx, PipelinedConnection shared, QueueSettings queue, JobHandlers types, JobContract contract) {
    this.vertx = vertx;
    this.contract = contract;
    this.shared = shared;
    this.types = types;
    this.partitions = queue.partitionKeys();
    this.records = new PartitionedRecords(partitions, queue.recordTtl());
    this.caches = partitions.all().stream().map(keys -> new ResultCache(keys, queue.recordTtl())).toList();
    this.chains = partitions.all().stream().map(keys -> new ChainScripts(keys, queue.recordTtl())).toList();
    this.delivery = new DeliveryOptions().setSendTimeout(queue.submitTimeout().toMillis()).setLocalOnly(true);
    this.maxDelay = queue.maxDelay();
  }

  /**
   * {@code POST /api/jobs}. Checked here with the contract's compiled schemas rather than by the router's request
   * validation, which compiles a validator per request: the hot path of every submission.
   */
  void submit(RoutingContext ctx) {
    JsonObject body;
    String idempotencyKey;
    long now = System.currentTimeMillis();
    long dueAt;
    ChainSpec chain;
    Priority priority;
    try {
      body = jobRequest(ctx.body().asJsonObject(), "");
      idempotencyKey = idempotencyKey(ctx);
      dueAt = dueAt(body, now, "");
      chain = chain(body, "");
      priority = priority(body);
    } catch (RuntimeException e) { // DecodeException, IllegalArgumentException
      ApiErrors.respond(ctx, 400, e.getMessage());
      return;
    }
    String client = body.getString("client");
    JobType type = types.forType(body.getString("type")).orElse(null); // null: a declared type, worked over /api/work
    JsonObject payload = body.getJsonObject("payload");
    int partition = partitionOf(client, idempotencyKey, type != null && type.cacheable() && idempotencyKey == null
        && chain == null && dueAt == 0 ? ResultCache.digest(body.getString("type"), payload) : null);
    Job job = new Job(jobId(partition, client, idempotencyKey), body.getString("type"), now, payload, true);

    Future<JsonObject> accepted = idempotencyKey == null
        ? create(job, client, type, now, dueAt, priority, chain, false)
        : claimed(job.id(), client, digest(body)).compose(record -> {
          if (record == null) {
            return create(job, client, type, now, dueAt, priority, chain, true);
          }
          // Seen before. If it may not have reached the stream, submit again: the queue knows an API job's key as long
          // as its record lives, so this adds nothing when it did.
          Future<Void> resubmitted = "queued".equals(record.getString("status"))
              ? enqueue(List.of(job), List.of(client), List.of(dueAt), List.of(priority), true).mapEmpty() : Future.succeededFuture();
          return resubmitted.map(v -> accepted(job.id(), record.getString("status"), record.getBoolean("cached")));
        });
    accepted
        .onSuccess(answer -> ctx.response().setStatusCode(202)
            .putHeader("Location", "/api/jobs/" + answer.getString("id"))
            .putHeader("content-type", "application/json")
            .end(answer.encode()))
        .onFailure(err -> failed(ctx, err));
  }

  /**
   * {@code POST /api/jobs/batch}: up to {@link JobBatch#MAX_JOBS} jobs, each with its own id and record, written in one
   * step with their records, or none of them. The result cache is not consulted: a batch's jobs all run.
   */
  void submitBatch(RoutingContext ctx) {
    JsonArray requests;
    String idempotencyKey;
    List<Job> jobs;
    List<String> clients;
    List<Long> dueAt;
    List<Priority> priorities;
    List<Request> chainWrites = new ArrayList<>();
    try {
      requests = ctx.body().asJsonArray();
      if (requests == null || requests.isEmpty() || requests.size() > JobBatch.MAX_JOBS) {
        throw new IllegalArgumentException("a batch is a JSON array of 1 to " + JobBatch.MAX_JOBS + " jobs");
      }
      idempotencyKey = idempotencyKey(ctx);
      long now = System.currentTimeMillis();
      clients = new ArrayList<>(requests.size());
      dueAt = new ArrayList<>(requests.size());
      priorities = new ArrayList<>(requests.size());
      List<ChainSpec> chainSpecs = new ArrayList<>(requests.size());
      for (int i = 0; i < requests.size(); i++) {
        if (!(requests.getValue(i) instanceof JsonObject request)) {
          throw new IllegalArgumentException("[" + i + "]: a job must be a JSON object");
        }
        jobRequest(request, "[" + i + "]");
        clients.add(request.getString("client"));
        dueAt.add(dueAt(request, now, "[" + i + "]: "));
        priorities.add(priority(request));
        ChainSpec chain = chain(request, "[" + i + "].");
        chainSpecs.add(chain);
      }
      // One partition for the whole batch: its jobs are written in one step, which touches one partition.
      int partition = partitionOf(clients.get(0), idempotencyKey, null);
      jobs = new ArrayList<>(requests.size());
      for (int i = 0; i < requests.size(); i++) {
        JsonObject request = requests.getJsonObject(i);
        String id = jobId(partition, clients.get(i), idempotencyKey == null ? null : idempotencyKey + "\n" + i);
        jobs.add(new Job(id, request.getString("type"), now, request.getJsonObject("payload"), true));
        if (chainSpecs.get(i) != null) {
          chainWrites.add(chains.get(partition).create(id, chainSpecs.get(i), clients.get(i), priorities.get(i), now,
              lifeSeconds(dueAt.get(i), now)));
        }
      }
    } catch (RuntimeException e) { // DecodeException, IllegalArgumentException
      ApiErrors.respond(ctx, 400, e.getMessage());
      return;
    }
    // With a key, the first job's record holds the digest of the whole batch; a replay resends it all, and the queue
    // adds none of the jobs it has already.
    Future<?> claimed = idempotencyKey == null ? Future.succeededFuture()
        : claimed(jobs.get(0).id(), clients.get(0), digest(requests));
    long delayed = dueAt.stream().filter(due -> due > 0).count();
    String status = delayed == 0 ? "queued" : delayed == jobs.size() ? "scheduled" : "mixed";
    claimed.compose(v -> chainWrites.isEmpty() ? Future.succeededFuture() : shared.batch(chainWrites))
        .compose(v -> enqueue(jobs, clients, dueAt, priorities, idempotencyKey != null))
        .onSuccess(v -> {
          JsonArray ids = new JsonArray(new ArrayList<>(jobs.size()));
          jobs.forEach(job -> ids.add(job.id()));
          ctx.response().setStatusCode(202).putHeader("content-type", "application/json")
              .end(new JsonObject().put("ids", ids).put("status", status).encode());
        })
        .onFailure(err -> failed(ctx, err));
  }

  /**
   * A refused submission: 429 for a full backlog, 503 with Retry-After when Redis is full or did not answer. Those are
   * the queue's to log, once per outage: a request's own log line would repeat it for every request meanwhile.
   */
  private static void failed(RoutingContext ctx, Throwable err) {
    if (err instanceof BacklogFull full) {
      ctx.response().putHeader("Retry-After", "1");
      ApiErrors.respond(ctx, 429, full.getMessage());
    } else if (err instanceof QueueRefused refused) {
      ctx.response().putHeader("Retry-After", refused.full ? "5" : "1");
      ApiErrors.respond(ctx, 503, refused.getMessage());
    } else if (QueueFailure.isRedisFull(err)) { // the record an Idempotency-Key claims, refused before the queue
      ctx.response().putHeader("Retry-After", "5");
      ApiErrors.respond(ctx, 503, QueueFailure.FULL_MESSAGE);
    } else {
      ctx.fail(err);
    }
  }

  /** A job request checked against the contract; {@code where} prefixes the error ("[3]" in a batch). */
  private JsonObject jobRequest(JsonObject body, String where) {
    if (body == null) {
      throw new IllegalArgumentException(where + (where.isEmpty() ? "" : ": ") + "a job must be a JSON object");
    }
    try {
      contract.checkRequest(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where.isEmpty() ? e.getMessage() : where + ": " + e.getMessage(), e);
    }
    return body;
  }

  /**
   * When a job asks to run later ({@code delay} in seconds, or {@code runAt}, an RFC 3339 time): epoch millis, or 0 for
   * now (a time already past runs now). {@code where} prefixes an error ("[3]: " in a batch).
   */
  private long dueAt(JsonObject request, long now, String where) {
    Object delay = request.getValue("delay");
    Object runAt = request.getValue("runAt");
    long due;
    if (delay != null && runAt != null) {
      throw new IllegalArgumentException(where + "give delay or runAt, not both");
    } else if (delay instanceof Number seconds) {
      due = now + Math.round(seconds.doubleValue() * 1000);
    } else if (runAt instanceof String time) {
      try {
        due = OffsetDateTime.parse(time).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(where + "runAt must be an RFC 3339 time such as 2026-11-26T09:30:00Z, got " + time);
      }
    } else {
      return 0;
    }
    if (due - now > maxDelay.toMillis()) {
      throw new IllegalArgumentException(where + "a job may wait at most --max-delay " + maxDelay.toSeconds() + " s");
    }
    return due > now ? due : 0;
  }

  /** The job's {@code priority}; the contract allows only high, normal and low. */
  private static Priority priority(JsonObject request) {
    String label = request.getString("priority");
    return label == null ? Priority.NORMAL : Priority.parse(label);
  }

  /** The steps that follow the job ({@code then}), checked; {@code null} for a job alone. */
  private ChainSpec chain(JsonObject request, String where) {
    if (!request.containsKey("then")) {
      return null;
    }
    try {
      return ChainSpec.parse(request.getValue("then"), contract);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
  }

  /** How long a chain may wait for its first job beyond the record TTL: as long as that job is delayed. */
  private static long lifeSeconds(long dueAt, long now) {
    return dueAt > 0 ? (dueAt - now + 999) / 1000 : 0;
  }

  /** The Idempotency-Key header, checked as the contract declares it; {@code null} when absent. */
  private static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("Idempotency-Key must be 1 to 128 printable ASCII characters without spaces");
    }
    return key;
  }

  /**
   * Claims the job id for this body: {@code null} if this request is the first (it creates the job), the record if the
   * key was seen before with the same body; a 422 if it was seen with another body, which then changes nothing.
   */
  private Future<JsonObject> claimed(String jobId, String client, String digest) {
    return shared.batch(records.of(jobId).claim(jobId, digest)).compose(replies -> {
      if (replies.get(0).toInteger() == 1) {
        return Future.succeededFuture(null);
      }
      JsonObject raw = RedisPairs.toJson(replies.get(2));
      if (!digest.equals(raw.getString("digest"))) {
        return Future.failedFuture(new HttpException(422, "Idempotency-Key was used before with another body (job "
            + jobId + " of client " + client + "); use a new key for a new job"));
      }
      JsonObject record = JobRecords.toJson(jobId, replies.get(2));
      return Future.succeededFuture(record);
    });
  }

  /** The submission (a job or a batch of them), with object keys sorted: the same body gives the same digest. */
  private static String digest(Object body) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical(body).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static String canonical(Object value) {
    if (value instanceof JsonObject object) {
      StringBuilder text = new StringBuilder("{");
      object.fieldNames().stream().sorted().forEach(name -> text.append(text.length() > 1 ? "," : "")
          .append(Json.encode(name)).append(':').append(canonical(object.getValue(name))));
      return text.append('}').toString();
    }
    if (value instanceof JsonArray array) {
      StringBuilder text = new StringBuilder("[");
      for (int i = 0; i < array.size(); i++) {
        text.append(i > 0 ? "," : "").append(canonical(array.getValue(i)));
      }
      return text.append(']').toString();
    }
    return Json.encode(value);
  }

  /** A cached answer completes the job at once; otherwise the job goes to the queue, which writes its record with it. */
  private Future<JsonObject> create(Job job, String client, JobType type, long now, long dueAt, Priority priority,
                                    ChainSpec chain, boolean resendable) {
    if (chain != null) {
      // The chain is in Redis before its first job can complete; that job never comes from the cache, which would
      // complete it without running a step.
      ChainScripts chainScripts = chains.get(partitions.ofJob(job.id()));
      return shared.send(chainScripts.create(job.id(), chain, client, priority, now, lifeSeconds(dueAt, now)))
          .compose(v -> enqueue(List.of(job), List.of(client), List.of(dueAt), List.of(priority), resendable))
          .map(v -> dueAt > 0 ? accepted(job.id(), "scheduled", false).put("runAt", Instant.ofEpochMilli(dueAt).toString())
              : accepted(job.id(), "queued", false));
    }
    if (dueAt > 0) {
      return enqueue(List.of(job), List.of(client), List.of(dueAt), List.of(priority), resendable)
          .map(v -> accepted(job.id(), "scheduled", false).put("runAt", Instant.ofEpochMilli(dueAt).toString()));
    }
    Future<Response> cached = type != null && type.cacheable()
        ? shared.send(caches.get(partitions.ofJob(job.id())).lookup(job.type(), job.payload()))
        : Future.succeededFuture();
    return cached.compose(hit -> {
      if (hit != null) {
        return shared.batch(records.of(job.id()).completedFromCache(job, client, hit.toString(), now)).map(v -> accepted(job.id(), "completed", true));
      }
      return enqueue(List.of(job), List.of(client), List.of(0L), List.of(priority), resendable)
          .map(v -> accepted(job.id(), "queued", false));
    });
  }

  /**
   * Hands the jobs to this node's queue, which writes them and their records in one step; answers their entry ids.
   *
   * @param resendable an Idempotency-Key request, which may send the same jobs again
   */
  private Future<JsonArray> enqueue(List<Job> jobs, List<String> clients, List<Long> dueAt, List<Priority> priorities,
                                    boolean resendable) {
    List<JobBatch> batches = new ArrayList<>(jobs.size());
    jobs.forEach(job -> batches.add(JobBatch.of(job)));
    return vertx.eventBus().<JsonObject>request(QueueAddresses.SUBMIT_LOCAL,
            new LocalSubmission(batches, clients, dueAt, priorities, resendable), delivery)
        .map(reply -> reply.body().getJsonArray("entryIds"))
        .recover(err -> {
          int code = err instanceof ReplyException reply ? reply.failureCode() : 0;
          if (code == QueueFailure.BACKLOG.code || code == QueueFailure.FULL.code) {
            // Nothing was added. A record claimed for an Idempotency-Key goes too, so a retry starts afresh.
            Request del = Request.cmd(Command.DEL);
            jobs.forEach(job -> del.arg(partitions.ofJobKeys(job.id()).record(job.id())));
            RuntimeException refused = code == QueueFailure.BACKLOG.code ? new BacklogFull(err.getMessage())
                : new QueueRefused(err.getMessage(), true);
            return shared.send(del).transform(ignored -> Future.failedFuture(refused));
          }
          return Future.failedFuture(new QueueRefused("the queue did not take the job (" + err.getMessage()
              + "); retry with the same Idempotency-Key", false));
        });
  }

  /** The queue did not take the jobs: Redis is full (nothing was added) or did not answer; 503 with Retry-After. */
  static final class QueueRefused extends RuntimeException {
    final boolean full;

    QueueRefused(String message, boolean full) {
      super(message, null, false, false);
      this.full = full;
    }
  }

  /** The type's backlog is full: 429 with Retry-After, nothing enqueued. */
  static final class BacklogFull extends RuntimeException {
    BacklogFull(String message) {
      super(message, null, false, false);
    }
  }

  private static JsonObject accepted(String id, String status, Boolean cached) {
    return new JsonObject().put("id", id).put("status", status).put("cached", Boolean.TRUE.equals(cached));
  }

  /** A new id for a job without a key, in the home partition. */
  static String newJobId() {
    return "api-" + ID_PREFIX + HexFormat.of().toHexDigits(NEXT_ID.getAndIncrement()).substring(6);
  }

  /** With an Idempotency-Key the id is derived from it (and the client), so a retry names the same job. */
  private static String jobId(int partition, String client, String idempotencyKey) {
    return Partitions.jobId(partition, idempotencyKey == null ? newJobId() : Job.derivedId(client + "\n" + idempotencyKey));
  }

  /**
   * The partition a submission's jobs go to, on a Redis Cluster with partitions (one Redis has one): that of its
   * Idempotency-Key with one, so a resend finds its job; that of a cacheable payload's digest, so its result is cached
   * where the next such job looks; else each in turn. A chain's steps follow in its partition.
   *
   * @param cacheDigest the digest of a cacheable job's type and payload, {@code null} for any other submission
   */
  private int partitionOf(String client, String idempotencyKey, String cacheDigest) {
    if (partitions.count() == 1) {
      return 0;
    }
    if (idempotencyKey != null) {
      return partitions.ofKey(client + "\n" + idempotencyKey);
    }
    if (cacheDigest != null) {
      return partitions.ofKey(cacheDigest);
    }
    nextPartition = (nextPartition + 1) % partitions.count();
    return nextPartition;
  }
}
