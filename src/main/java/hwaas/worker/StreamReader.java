package hwaas.worker;

import hwaas.queue.GroupScripts;
import hwaas.queue.Priority;
import hwaas.queue.StreamKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One consumer of the group on the streams of one type's priorities, on a connection of its own: XREADGROUP BLOCK
 * parks the connection until entries arrive, so sharing it with the pool would stall every other command behind it.
 * Each read takes from the priorities in the order {@link Priority#first} gives for its turn, in one script; only when
 * all are empty does it block, on all of them at once.
 */
final class StreamReader {
  // KEYS: the streams, in the order of this read; ARGV[1]: group, ARGV[2]: consumer, ARGV[3]: the most entries.
  // Takes new entries from each stream in turn until it has that many. Replies [key index, entries, ...].
  private static final String READ_IN_ORDER = String.join("\n",
      "local left, out = tonumber(ARGV[3]), {}",
      "for i = 1, #KEYS do",
      "  if left <= 0 then break end",
      "  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', left, 'STREAMS', KEYS[i], '>')",
      "  if r then",
      "    out[#out + 1] = i",
      "    out[#out + 1] = r[1][2]",
      "    left = left - #r[1][2]",
      "  end",
      "end",
      "return out");

  private final RedisConnection connection;
  private final StreamKeys keys;
  /** Queue names, high to low. */
  private final List<String> queues;
  private final Map<String, String> queueOfStream = new HashMap<>();
  private final String consumer;
  private final int batchSize;
  private final String blockMillis;
  private long turn;
  private boolean closed;
  /** Entries the next read asks for: the batch size, or fewer while entries carry many API jobs ({@link #adapt}). */
  private int count;
  /**
   * API jobs (each with a record to write, a chain to move on) one read should hold at most: a read of 32 entries of
   * 1000 API jobs takes seconds of Redis writes. Print jobs of clients cost nothing of the kind and are not counted.
   */
  static final int TRACKED_JOBS_PER_READ = 2000;

  StreamReader(RedisConnection connection, StreamKeys keys, String type, String consumer, int batchSize, Duration block) {
    this.connection = connection;
    this.keys = keys;
    this.queues = Priority.queues(type);
    queues.forEach(queue -> queueOfStream.put(keys.stream(queue), queue));
    this.consumer = consumer;
    this.batchSize = batchSize;
    this.count = batchSize;
    this.blockMillis = Long.toString(block.toMillis());
  }

  /**
   * Sizes the next reads from what the last one held: as many entries as keep its API jobs near
   * {@link #TRACKED_JOBS_PER_READ}, at least one, at most the batch size.
   */
  void adapt(List<Entry> read) {
    if (read.isEmpty()) {
      return;
    }
    long tracked = read.stream().mapToLong(e -> e.jobs().stream().filter(hwaas.jobs.Job::tracked).count()).sum();
    long perEntry = Math.max(1, tracked / read.size());
    count = (int) Math.max(1, Math.min(batchSize, TRACKED_JOBS_PER_READ / perEntry));
  }

  String consumer() {
    return consumer;
  }

  /**
   * The next new entries for this consumer, by priority; waits up to the block time for some unless {@code wait} is
   * false.
   */
  Future<List<Entry>> next(boolean wait) {
    List<String> order = order(turn++);
    Request read = Request.cmd(Command.EVAL).arg(READ_IN_ORDER).arg(order.size());
    order.forEach(queue -> read.arg(keys.stream(queue)));
    read.arg(StreamKeys.GROUP).arg(consumer).arg(count);
    return connection.send(read).compose(reply -> {
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; reply != null && i + 1 < reply.size(); i += 2) {
        entries.addAll(Entry.parseAll(order.get(reply.get(i).toInteger() - 1), reply.get(i + 1), 1));
      }
      return entries.isEmpty() && wait ? waitForAny() : Future.succeededFuture(entries);
    });
  }

  /** The queues in the order of read number {@code turn}: its first priority, then the others high to low. */
  private List<String> order(long turn) {
    String first = queues.get(Priority.ORDER.indexOf(Priority.first(turn)));
    List<String> order = new ArrayList<>(queues.size());
    order.add(first);
    queues.stream().filter(q -> !q.equals(first)).forEach(order::add);
    return order;
  }

  private Future<List<Entry>> waitForAny() {
    Request read = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(StreamKeys.GROUP).arg(consumer)
        .arg("COUNT").arg(count).arg("BLOCK").arg(blockMillis).arg("STREAMS");
    queues.forEach(queue -> read.arg(keys.stream(queue)));
    queues.forEach(queue -> read.arg(">"));
    return connection.send(read).map(this::entries);
  }

  /** Sends on this connection, which is idle between reads, so updates of one job arrive in order. */
  Future<List<Response>> send(List<Request> requests) {
    return InOrderBatches.send(requests, connection::batch);
  }

  /**
   * Of entries this consumer held back (read as its type was paused), those it still holds, their idle time reset so
   * that no reclaimer takes them while they run; an entry another worker claimed meanwhile is left to it.
   */
  Future<List<Entry>> keepIfMine(List<Entry> entries) {
    Map<String, List<Entry>> byQueue = new LinkedHashMap<>();
    entries.forEach(e -> byQueue.computeIfAbsent(e.queue(), q -> new ArrayList<>()).add(e));
    Future<List<Entry>> kept = Future.succeededFuture(new ArrayList<>());
    for (Map.Entry<String, List<Entry>> queue : byQueue.entrySet()) {
      List<Entry> held = queue.getValue();
      kept = kept.compose(all -> GroupScripts.keepIfMine(connection, keys.stream(queue.getKey()), consumer,
              held.stream().map(Entry::entryId).toList())
          .map(mine -> {
            held.stream().filter(e -> mine.contains(e.entryId())).forEach(all::add);
            return all;
          }));
    }
    return kept;
  }

  /**
   * Leaves the group of each stream, each in one step with the check that this consumer holds nothing there (else it
   * stays, claimable). True if it left all of them.
   */
  Future<Boolean> leaveGroupIfIdle() {
    Future<Boolean> left = Future.succeededFuture(true);
    for (String queue : queues) {
      left = left.compose(all -> GroupScripts.leaveIfIdle(connection, keys.stream(queue), consumer).map(gone -> all && gone));
    }
    return left;
  }

  /** Closes the connection; again is harmless (a retry after a failed reconnect closes it a second time). */
  Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    try {
      return connection.close();
    } catch (RuntimeException e) { // a connection already dropped by the client throws instead of failing
      return Future.failedFuture(e);
    }
  }

  // RESP2 reply: [[stream, [[id, [field, value, ...]], ...]], ...], or nil when nothing arrived.
  private List<Entry> entries(Response reply) {
    if (reply == null || reply.size() == 0) {
      return List.of();
    }
    List<Entry> entries = new ArrayList<>();
    for (Response stream : reply) {
      entries.addAll(Entry.parseAll(queueOfStream.get(stream.get(0).toString()), stream.get(1), 1));
    }
    return entries;
  }
}
