package hwaas.queue;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A listing's pages from every partition made one page ({@link JobSearch}): the positions of index entries, the cursor
 * that names one, and the merge.
 */
final class PartitionPages {
  /**
   * An index entry's place in a listing: its score as Redis wrote it, and its id. Ordered as the PAGE script orders
   * entries (by score, ties by id, as a sorted set orders them); a cursor is one, as base64url of "score:id".
   */
  record Position(String score, String id) {
    static Comparator<Position> order(boolean oldestFirst) {
      Comparator<Position> oldest = Comparator.comparingDouble((Position p) -> Double.parseDouble(p.score()))
          .thenComparing(Position::id);
      return oldestFirst ? oldest : oldest.reversed();
    }

    /** From "score:id" (ids may hold colons, scores never do). */
    static Position parse(String position) {
      int colon = position.indexOf(':');
      Double.parseDouble(position.substring(0, colon));
      if (colon == position.length() - 1) {
        throw new IllegalArgumentException("no id");
      }
      return new Position(position.substring(0, colon), position.substring(colon + 1));
    }

    static Position decode(String cursor) {
      try {
        return parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("cursor " + cursor + " is not one this API handed out; start again without it");
      }
    }

    String encode() {
      String position = score + ":" + id;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A job a partition's page holds, at its index position. */
  record Found(Position at, JsonObject job) {
  }

  /**
   * A partition's page: its matches in walk order, all of those up to {@code cursor}, the last entry it examined
   * ({@code null}: it examined all, to the end of the listing).
   */
  record Part(List<Found> jobs, Position cursor) {
  }

  private PartitionPages() {
  }

  /**
   * Every partition has shown all its matches up to its own cursor, so the merged list is complete up to the earliest
   * cursor of those that did not finish (the cut): the jobs after it are left for the next page, which starts there.
   * The first {@code limit} jobs up to the cut are the page; if there were more, the next page starts after the last
   * one shown. On one partition, its page and cursor are passed on as they are.
   */
  static JobSearch.Page merge(List<Part> parts, int limit, Comparator<Position> order) {
    Position cut = parts.stream().map(Part::cursor).filter(Objects::nonNull).min(order).orElse(null);
    List<Found> kept = parts.stream().flatMap(p -> p.jobs().stream())
        .filter(f -> cut == null || order.compare(f.at(), cut) <= 0)
        .sorted(Comparator.comparing(Found::at, order))
        .toList();
    List<JsonObject> jobs = kept.stream().limit(limit).map(Found::job).toList();
    if (kept.size() > limit) {
      return new JobSearch.Page(jobs, kept.get(limit - 1).at().encode());
    }
    return new JobSearch.Page(jobs, cut == null ? null : cut.encode());
  }
}
