package hwaas.http;

import hwaas.jobs.Job;
import hwaas.jobs.JobBatch;
import hwaas.queue.JobRecords;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueFailure;
import hwaas.queue.QueueSettings;
import hwaas.queue.RedisPairs;
import hwaas.queue.ResultCache;
import hwaas.queue.StreamKeys;
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
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/** {@code /api/jobs}: submit a job, follow it, list a client's jobs. Input is already checked against the contract. */
final class JobsApi {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final Redis redis;
  private final JobHandlers types;
  private final JobRecords records;
  private final ResultCache cache;
  private final StreamKeys keys;
  private final DeliveryOptions delivery;

  JobsApi(Vertx vertx, Redis redis, QueueSettings queue, JobHandlers types) {
    this.vertx = vertx;
    this.redis = redis;
    this.types = types;
    this.keys = queue.keys();
    this.records = new JobRecords(keys, queue.recordTtl());
    this.cache = new ResultCache(keys, queue.recordTtl());
    this.delivery = new DeliveryOptions().setSendTimeout(queue.submitTimeout().toMillis()).setLocalOnly(true);
  }

  void submit(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject body = request.getBody().getJsonObject();
    String client = body.getString("client");
    String idempotencyKey = ctx.request().getHeader("Idempotency-Key");
    long now = System.currentTimeMillis();
    Job job = new Job(jobId(client, idempotencyKey), body.getString("type"), now, body.getJsonObject("payload"), true);
    JobType type = types.forType(job.type()).orElseThrow(() -> new HttpException(400, "unknown job type " + job.type()));

    Future<JsonObject> accepted = idempotencyKey == null
        ? create(job, client, type, now)
        : claimed(job, client, digest(body)).compose(record -> {
          if (record == null) {
            return create(job, client, type, now);
          }
          // Seen before. If it may not have reached the stream, submit again: the queue knows an API job's key as long
          // as its record lives, so this adds nothing when it did.
          Future<Void> resubmitted = "queued".equals(record.getString("status")) ? enqueue(job) : Future.succeededFuture();
          return resubmitted.map(v -> accepted(job.id(), record.getString("status"), record.getBoolean("cached")));
        });
    accepted
        .onSuccess(answer -> ctx.response().setStatusCode(202)
            .putHeader("Location", "/api/jobs/" + answer.getString("id"))
            .putHeader("content-type", "application/json")
            .end(answer.encode()))
        .onFailure(err -> {
          if (err instanceof BacklogFull full) {
            ctx.response().putHeader("Retry-After", "1");
            ApiErrors.respond(ctx, 429, full.getMessage());
          } else {
            ctx.fail(err);
          }
        });
  }

  void get(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    String id = request.getPathParameters().get("id").getString();
    redis.send(records.read(id))
        .onSuccess(hash -> {
          JsonObject record = JobRecords.toJson(hash);
          if (record == null) {
            ApiErrors.respond(ctx, 404, "no job " + id + " (unknown, or its record expired)");
          } else {
            ctx.json(record);
          }
        })
        .onFailure(ctx::fail);
  }

  void list(RoutingContext ctx) {
    ValidatedRequest request = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    String client = request.getQuery().get("client").getString();
    RequestParameter limitParam = request.getQuery().get("limit");
    int limit = limitParam == null || limitParam.isNull() ? 20 : limitParam.getInteger();
    redis.send(records.newestOf(client, limit))
        .compose(ids -> {
          if (ids.size() == 0) {
            return Future.succeededFuture(List.<Response>of());
          }
          List<Request> reads = new java.util.ArrayList<>();
          ids.forEach(id -> reads.add(records.read(id.toString())));
          return redis.batch(reads);
        })
        .onSuccess(hashes -> {
          JsonArray jobs = new JsonArray();
          hashes.stream().map(JobRecords::toJson).filter(java.util.Objects::nonNull).forEach(jobs::add);
          ctx.json(new JsonObject().put("jobs", jobs));
        })
        .onFailure(ctx::fail);
  }

  /**
   * Claims the job id for this body: {@code null} if this request is the first (it creates the job), the record if the
   * key was seen before with the same body; a 422 if it was seen with another body, which then changes nothing.
   */
  private Future<JsonObject> claimed(Job job, String client, String digest) {
    return redis.batch(records.claim(job.id(), digest)).compose(replies -> {
      if (replies.get(0).toInteger() == 1) {
        return Future.succeededFuture(null);
      }
      JsonObject raw = RedisPairs.toJson(replies.get(2));
      if (!digest.equals(raw.getString("digest"))) {
        return Future.failedFuture(new HttpException(422, "Idempotency-Key was used before with another body (job "
            + job.id() + " of client " + client + "); use a new key for a new job"));
      }
      JsonObject record = JobRecords.toJson(replies.get(2));
      return Future.succeededFuture(record);
    });
  }

  /** The submission's type, client and payload, with object keys sorted: the same body gives the same digest. */
  private static String digest(JsonObject body) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical(new JsonObject()
          .put("type", body.getValue("type")).put("client", body.getValue("client")).put("payload", body.getValue("payload")))
          .getBytes(StandardCharsets.UTF_8));
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

  /** A cached answer completes the job at once; otherwise the record is written first, then the job enqueued. */
  private Future<JsonObject> create(Job job, String client, JobType type, long now) {
    Future<Response> cached = type.cacheable()
        ? redis.send(cache.lookup(job.type(), job.payload()))
        : Future.succeededFuture();
    return cached.compose(hit -> {
      if (hit != null) {
        return redis.batch(records.completedFromCache(job, client, hit.toString(), now)).map(v -> accepted(job.id(), "completed", true));
      }
      // The record comes first: a worker's "running" must never be overwritten by a late "queued".
      return redis.batch(records.queued(job, client, now))
          .compose(v -> enqueue(job))
          .map(v -> accepted(job.id(), "queued", false));
    });
  }

  private Future<Void> enqueue(Job job) {
    return vertx.eventBus().request(QueueAddresses.SUBMIT, JobBatch.of(job).toJson().encode(), delivery)
        .<Void>mapEmpty()
        .recover(err -> {
          if (err instanceof ReplyException reply && reply.failureCode() == QueueFailure.BACKLOG.code) {
            // Nothing was added: the record goes too, so a retry (same key or not) starts afresh.
            return redis.send(Request.cmd(Command.DEL).arg(keys.record(job.id())))
                .transform(ignored -> Future.failedFuture(new BacklogFull(err.getMessage())));
          }
          return Future.failedFuture(new HttpException(503, "the queue did not take the job (" + err.getMessage()
              + "); retry with the same Idempotency-Key", err));
        });
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

  /** With an Idempotency-Key the id is derived from it (and the client), so a retry names the same job. */
  private static String jobId(String client, String idempotencyKey) {
    if (idempotencyKey == null) {
      byte[] random = new byte[10];
      RANDOM.nextBytes(random);
      return "api-" + HexFormat.of().formatHex(random);
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((client + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
      return "api-" + HexFormat.of().formatHex(digest, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
