package hwaas.queue;

import hwaas.support.ConfigException;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.HashSet;
import java.util.Set;

/**
 * How many partitions a service on a Redis Cluster has: chosen once, by its first node, and kept in its home
 * ({@code {hwaas}:partitions}), because the streams' names depend on it and every node must read them all. A later
 * node takes the kept count, and one that asks for another is refused.
 */
public final class PartitionCount {
  private PartitionCount() {
  }

  /**
   * The service's count: the kept one, or else {@code requested} (0: one per primary of the cluster), kept now.
   * Fails with a {@link ConfigException} when {@code requested} is neither 0 nor the kept count.
   */
  public static Future<Integer> settle(Redis redis, StreamKeys home, int requested) {
    return read(redis, home).compose(kept -> {
      if (kept != null) {
        return Future.succeededFuture(kept);
      }
      Future<Integer> wanted = requested > 0 ? Future.succeededFuture(requested) : primaries(redis);
      return wanted.compose(n -> redis.send(Request.cmd(Command.SET).arg(home.partitions()).arg(n).arg("NX")))
          .compose(set -> read(redis, home)); // another node may have set it first: its count holds
    }).map(count -> {
      if (count == null) {
        throw new IllegalStateException(home.partitions() + " vanished right after it was set");
      }
      if (requested > 0 && requested != count) {
        throw new ConfigException("this service's streams are spread over " + count + " partitions, chosen by its first "
            + "node and kept in " + home.partitions() + "; --partitions " + requested + " cannot change that: leave it out "
            + "or give " + count);
      }
      return count;
    });
  }

  /** The kept count, or 1 for a service that has none (one Redis, Sentinel, or no node has started on it yet). */
  public static Future<Integer> kept(Redis redis, StreamKeys home) {
    return read(redis, home).map(count -> count == null ? 1 : count);
  }

  private static Future<Integer> read(Redis redis, StreamKeys home) {
    return redis.send(Request.cmd(Command.GET).arg(home.partitions())).map(kept -> {
      if (kept == null) {
        return null;
      }
      int count = Integer.parseInt(kept.toString());
      if (count < 1 || count > Partitions.MAX) {
        throw new IllegalStateException(home.partitions() + " holds " + count + ", not a partition count (1 to "
            + Partitions.MAX + ")");
      }
      return count;
    });
  }

  /** The primaries of the cluster: the distinct owners in {@code CLUSTER SLOTS}, at most {@link Partitions#MAX}. */
  static Future<Integer> primaries(Redis redis) {
    return redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).map(ranges -> {
      Set<String> owners = new HashSet<>();
      for (Response range : ranges) {
        Response owner = range.get(2);
        owners.add(owner.get(0) + ":" + owner.get(1));
      }
      return Math.max(1, Math.min(Partitions.MAX, owners.size()));
    });
  }
}
