package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.util.UUID;

/**
 * The identity of an HWaaS service, kept in its Redis ({@code hwaas:service}): the first node that uses a Redis names
 * the service, and every node that joins a cluster checks, in the Redis it reached, that it is the cluster's. Checked
 * in Redis itself rather than by comparing URLs: one Redis has many addresses, and a URL can carry a password, which
 * the cluster must never hold.
 */
public final class ServiceIdentity {
  private ServiceIdentity() {
  }

  /** This Redis's service id, made now if it has none. */
  public static Future<String> claim(Redis redis, StreamKeys keys) {
    return redis.send(Request.cmd(Command.SET).arg(keys.service()).arg(UUID.randomUUID().toString()).arg("NX"))
        .compose(set -> read(redis, keys))
        .map(id -> {
          if (id == null) {
            throw new IllegalStateException(keys.service() + " vanished right after it was set");
          }
          return id;
        });
  }

  /** This Redis's service id; {@code null} if no node has used it. */
  public static Future<String> read(Redis redis, StreamKeys keys) {
    return redis.send(Request.cmd(Command.GET).arg(keys.service())).map(id -> id == null ? null : id.toString());
  }
}
