package hwaas.work;

import hwaas.jobs.JobContract;
import hwaas.queue.Partitions;
import hwaas.queue.RedisPairs;
import hwaas.queue.StreamGroup;
import hwaas.queue.StreamKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Job types declared at run time, kept in Redis (a hash from name to payload schema) and in this node's
 * {@link JobContract}. A declaration is written to Redis first, then announced to every node on
 * {@link #DECLARED}; a node that starts reads them all.
 */
final class DeclaredTypes {
  static final String DECLARED = "hwaas.work.declared";
  private static final Logger log = LoggerFactory.getLogger(DeclaredTypes.class);

  private final Vertx vertx;
  private final Redis redis;
  /** The service's own keys (the declarations): the home partition's. */
  private final StreamKeys keys;
  /** Every partition: a declared type's jobs are spread over them, so each has the type's streams and group. */
  private final Partitions partitions;
  private final JobContract contract;
  private MessageConsumer<JsonObject> consumer;

  DeclaredTypes(Vertx vertx, Redis redis, Partitions partitions, JobContract contract) {
    this.vertx = vertx;
    this.redis = redis;
    this.keys = partitions.home();
    this.partitions = partitions;
    this.contract = contract;
  }

  /** Follows the declarations of other nodes, declares those of the flags, then reads all those in Redis. */
  Future<Void> start(Map<String, JsonObject> fromFlags) {
    consumer = vertx.eventBus().<JsonObject>consumer(DECLARED, message -> {
      String name = message.body().getString("type");
      try {
        contract.declare(name, message.body().getJsonObject("schema"));
      } catch (IllegalArgumentException e) {
        log.warn("declared type {} from another node refused here: {}", name, e.getMessage());
      }
    });
    Future<Void> declared = consumer.completion();
    for (Map.Entry<String, JsonObject> type : fromFlags.entrySet()) {
      declared = declared.compose(v -> declare(type.getKey(), type.getValue()).mapEmpty());
    }
    return declared.compose(v -> redis.send(Request.cmd(Command.HGETALL).arg(keys.declaredTypes())))
        .compose(this::loadAll);
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * Checks, stores, makes its streams and group, and announces a declaration.
   *
   * @return the schema; fails with IllegalArgumentException, changing nothing, for a bad name or schema
   */
  Future<JsonObject> declare(String name, JsonObject schema) {
    try {
      contract.checkDeclarable(name, schema);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return redis.send(Request.cmd(Command.HSET).arg(keys.declaredTypes()).arg(name).arg(schema.encode()))
        .compose(v -> StreamGroup.ensureAll(redis, partitions, List.of(name)))
        .map(v -> {
          contract.declare(name, schema);
          vertx.eventBus().publish(DECLARED, new JsonObject().put("type", name).put("schema", schema));
          return schema;
        });
  }

  private Future<Void> loadAll(Response all) {
    JsonObject types = all == null ? new JsonObject() : RedisPairs.toJson(all);
    for (String name : types.fieldNames()) {
      try {
        contract.declare(name, new JsonObject(types.getString(name)));
      } catch (RuntimeException e) { // DecodeException, IllegalArgumentException
        log.warn("declared type {} kept in Redis ({}) cannot be used: {}", name, keys.declaredTypes(), e.getMessage());
      }
    }
    return StreamGroup.ensureAll(redis, partitions, types.fieldNames());
  }
}
