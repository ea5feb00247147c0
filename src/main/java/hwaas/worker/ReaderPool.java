package hwaas.worker;

import hwaas.queue.StreamKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Dedicated connections for the reads of external workers' fetches: a waiting fetch parks its connection in
 * XREADGROUP BLOCK, so it never uses the shared pool. At most {@code max} connections; further fetches wait for one
 * in a bounded line. Used on one event loop.
 */
final class ReaderPool {
  /** Fetches waiting for a connection beyond which a fetch is refused (503 for the caller). */
  private static final int MAX_QUEUED = 1_000;

  private final Redis redis;
  private final int max;
  private final ArrayDeque<RedisConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Promise<RedisConnection>> queued = new ArrayDeque<>();
  private final List<RedisConnection> all = new ArrayList<>();
  /** Connections to a primary that moved away: dropped when their read ends. */
  private final Set<RedisConnection> stale = new HashSet<>();
  private int opening;
  private boolean closed;

  ReaderPool(Redis redis, int max) {
    this.redis = redis;
    this.max = max;
  }

  /** New entries of a type's streams by priority, for {@code consumer}; waits up to {@code wait} if {@code block}. */
  Future<List<Entry>> read(StreamKeys keys, String type, String consumer, int count, Duration wait, boolean block) {
    return borrow().compose(connection -> {
      StreamReader reader = new StreamReader(connection, keys, type, consumer, count, wait);
      return reader.next(block).onComplete(ar -> {
        if (ar.succeeded()) {
          giveBack(connection);
        } else {
          drop(connection); // its state is unknown (a timeout, a closed socket): never reused
        }
      });
    });
  }

  private Future<RedisConnection> borrow() {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("the node is stopping"));
    }
    RedisConnection free = idle.poll();
    if (free != null) {
      return Future.succeededFuture(free);
    }
    if (all.size() + opening < max) {
      opening++;
      return redis.connect().onComplete(ar -> {
        opening--;
        if (ar.succeeded()) {
          all.add(ar.result());
        }
      });
    }
    if (queued.size() >= MAX_QUEUED) {
      return Future.failedFuture(new IllegalStateException(MAX_QUEUED + " fetches already wait for a connection; retry later"));
    }
    Promise<RedisConnection> promise = Promise.promise();
    queued.add(promise);
    return promise.future();
  }

  private void giveBack(RedisConnection connection) {
    if (stale.remove(connection)) {
      drop(connection);
      return;
    }
    Promise<RedisConnection> next = queued.poll();
    if (next != null) {
      next.complete(connection);
    } else {
      idle.add(connection);
    }
  }

  private void drop(RedisConnection connection) {
    all.remove(connection);
    stale.remove(connection);
    try {
      connection.close();
    } catch (RuntimeException ignored) { // already dropped by the client
    }
    Promise<RedisConnection> next = queued.poll();
    if (next != null) {
      borrow().onComplete(next);
    }
  }

  /**
   * The primary moved: no connection opened before is used again. Idle ones go now; one parked in a read goes when the
   * read ends (closing it now would not end the read: it would go back to the client's pool with the read in flight).
   */
  void primaryMoved() {
    stale.addAll(all);
    List<RedisConnection> free = new ArrayList<>(idle);
    idle.clear();
    free.forEach(this::drop);
  }

  Future<Void> close() {
    closed = true;
    queued.forEach(p -> p.tryFail("the node is stopping"));
    queued.clear();
    List<Future<Void>> closing = new ArrayList<>();
    all.forEach(c -> closing.add(c.close()));
    all.clear();
    idle.clear();
    return Future.join(closing).mapEmpty();
  }
}
