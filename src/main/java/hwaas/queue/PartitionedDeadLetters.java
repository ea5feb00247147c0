package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dead letters of every partition ({@link Partitions}) as one list, oldest first. Each partition keeps its own
 * dead-letter stream, next to the streams its letters came from, so that dead-lettering stays in one script. A letter
 * of the home keeps its stream entry id as its dead id ({@code 1795441023234-0}); one of partition k has it followed by
 * {@code .k} ({@code 1795441023234-0.2}), which says where to delete or requeue it. On one partition nothing changes.
 */
public final class PartitionedDeadLetters {
  /** A dead id: a stream entry id and, outside the home, its partition. */
  public static final Pattern ID = Pattern.compile("([0-9]{1,20})-([0-9]{1,20})(?:\\.([0-9]{1,2}))?");

  private final Partitions partitions;
  private final List<DeadLetters> letters = new ArrayList<>();
  private final List<DeadBulk> bulks = new ArrayList<>();

  public PartitionedDeadLetters(Redis redis, Partitions partitions, Duration recordTtl) {
    this.partitions = partitions;
    for (StreamKeys keys : partitions.all()) {
      letters.add(new DeadLetters(redis, keys, new JobRecords(keys, recordTtl)));
      bulks.add(new DeadBulk(redis, keys, recordTtl));
    }
  }

  /**
   * A page of the dead letters that match, oldest first (by entry id, then partition), after {@code afterId}
   * ({@code null}: from the oldest); next is null at the end. Each partition is read from just after that letter.
   */
  public Future<DeadLetters.Page> list(DeadBulk.Filter filter, String afterId, int limit) {
    Cursor after = afterId == null ? null : Cursor.parse(afterId, partitions.count());
    if (afterId != null && after == null) {
      return Future.failedFuture(new IllegalArgumentException("the dead-letter id " + afterId + " names a partition this "
          + "service does not have (it has " + partitions.count() + ")"));
    }
    List<Future<DeadLetters.Page>> pages = new ArrayList<>();
    for (int p = 0; p < partitions.count(); p++) {
      // The letters of a partition after the cursor's are those from its entry id on; up to its own, those past it.
      String start = after == null ? "-" : p > after.partition() ? after.entryId() : "(" + after.entryId();
      pages.add(bulks.get(p).listFrom(filter, start, limit));
    }
    return Future.all(pages).map(all -> {
      List<Found> found = new ArrayList<>();
      boolean more = false;
      for (int p = 0; p < pages.size(); p++) {
        DeadLetters.Page page = pages.get(p).result();
        more |= page.next() != null;
        for (JsonObject letter : page.letters()) {
          Cursor at = Cursor.of(letter.getString("deadId"), p);
          found.add(new Found(at, p == 0 ? letter : letter.put("deadId", at.entryId() + "." + p)));
        }
      }
      found.sort(Comparator.comparing(Found::at, Cursor.ORDER));
      List<JsonObject> shown = found.subList(0, Math.min(limit, found.size())).stream().map(Found::letter).toList();
      more |= found.size() > limit;
      return new DeadLetters.Page(shown, more && !shown.isEmpty() ? shown.get(shown.size() - 1).getString("deadId") : null);
    });
  }

  /** Applies the action to every match in every partition; answers how many matched in all. */
  public Future<Long> apply(DeadBulk.Action action, DeadBulk.Filter filter) {
    Future<Long> total = Future.succeededFuture(0L);
    for (DeadBulk bulk : bulks) {
      total = total.compose(sum -> bulk.apply(action, filter).map(n -> sum + n));
    }
    return total;
  }

  /** Deletes one dead letter; false if there was none (or the id names no partition). */
  public Future<Boolean> delete(String deadId) {
    Cursor at = Cursor.parse(deadId, partitions.count());
    return at == null ? Future.succeededFuture(false) : letters.get(at.partition()).delete(at.entryId());
  }

  /** Puts a dead job back in its stream (of its partition); its new entry id, or null if there is no such letter. */
  public Future<String> requeue(String deadId) {
    Cursor at = Cursor.parse(deadId, partitions.count());
    return at == null ? Future.succeededFuture(null) : letters.get(at.partition()).requeue(at.entryId());
  }

  /** A letter found for a listing, with its place. */
  private record Found(Cursor at, JsonObject letter) {
  }

  /** A letter's place: its entry id (and the id's two numbers, parsed once) and its partition. */
  private record Cursor(String entryId, long millis, long sequence, int partition) {
    static final Comparator<Cursor> ORDER = Comparator.comparingLong(Cursor::millis).thenComparingLong(Cursor::sequence)
        .thenComparingInt(Cursor::partition);

    /** {@code null} for an id of a partition the service does not have. */
    static Cursor parse(String deadId, int partitions) {
      Matcher m = ID.matcher(deadId);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a dead-letter id: " + deadId);
      }
      int partition = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
      return partition >= partitions || (partition == 0 && m.group(3) != null) ? null : of(m, partition);
    }

    /** The place of a stream entry id that a partition's dead-letter stream answered. */
    static Cursor of(String entryId, int partition) {
      Matcher m = ID.matcher(entryId);
      if (!m.matches() || m.group(3) != null) {
        throw new IllegalStateException("a dead-letter stream answered the entry id " + entryId);
      }
      return of(m, partition);
    }

    private static Cursor of(Matcher id, int partition) {
      return new Cursor(id.group(1) + "-" + id.group(2), Long.parseUnsignedLong(id.group(1)),
          Long.parseUnsignedLong(id.group(2)), partition);
    }
  }
}
