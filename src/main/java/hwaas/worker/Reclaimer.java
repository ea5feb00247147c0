package hwaas.worker;

import hwaas.jobs.Job;
import hwaas.queue.RedisPairs;
import hwaas.chain.ChainScripts;
import hwaas.queue.DeadLetters;
import hwaas.queue.GroupScripts;
import hwaas.queue.ScriptFlags;
import hwaas.queue.StreamKeys;
import hwaas.support.Backoff;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds entries that stay unacknowledged too long and claims them for its worker: a job whose last attempt
 * failed once its backoff has passed (doubling with each attempt), a job held by a silent consumer (a
 * crashed or killed node) once the visibility timeout has passed. XCLAIM with that idle time is atomic, so
 * only one worker of the cluster wins each entry, and it counts the delivery. A job out of attempts goes to
 * the dead-letter stream with its last error instead of running again. Consumers that hold nothing and have
 * been silent for long are removed from the group.
 */
final class Reclaimer {
  private static final Logger log = LoggerFactory.getLogger(Reclaimer.class);
  /** Pending entries looked at per page, and pages per sweep: a sweep's work is bounded, the cursor goes on next time. */
  private static final int SCAN = 100;
  private static final int PAGES_PER_SWEEP = 10;
  private static final long MAX_BACKOFF_MILLIS = 60_000;
  private static final long CONSUMER_SWEEP_MILLIS = 30_000;

  private final Redis redis;
  private final StreamKeys keys;
  private final ChainScripts chains;
  private final String type;
  private final String queue;
  private final String stream;
  private final String consumer;
  private final long visibilityMillis;
  private final long backoffMillis;
  private final Backoff retries;
  private final int maxAttempts;
  private final long maxDead;
  private final OnDead onDead;
  private long lastSweep = System.currentTimeMillis();
  /** Where the next page of the pending list starts: "-" for its beginning, else "(" and the last id seen. */
  private String cursor = "-";

  /** Told of each job this reclaimer moved to the dead-letter stream, and of the chains that stopped with them. */
  @FunctionalInterface
  interface OnDead {
    void dead(Job job, long attempts, String lastError);

    /** A chain that the dead job stopped; none to tell by default. */
    default void chainStopped(ChainScripts.ChainEvent event) {
    }
  }

  /** @param queue the queue of {@code type} this reclaimer looks after: one of its priorities' streams */
  Reclaimer(Redis redis, StreamKeys keys, ChainScripts chains, String type, String queue, String consumer, Duration visibility,
            Duration backoff, int maxAttempts, long maxDead, OnDead onDead) {
    this.redis = redis;
    this.keys = keys;
    this.chains = chains;
    this.type = type;
    this.queue = queue;
    this.stream = keys.stream(queue);
    this.consumer = consumer;
    this.visibilityMillis = visibility.toMillis();
    this.backoffMillis = backoff.toMillis();
    this.retries = new Backoff(backoffMillis, Math.max(backoffMillis, MAX_BACKOFF_MILLIS));
    this.maxAttempts = maxAttempts;
    this.maxDead = maxDead;
    this.onDead = onDead;
  }

  /** How often a worker should look; short enough that a retry is not late by much more than its backoff. */
  long periodMillis() {
    return Math.max(100, Math.min(visibilityMillis, backoffMillis) / 2);
  }

  /**
   * Claims what is due. Entries out of attempts are dead-lettered here; the rest are returned to run. The whole
   * pending list is looked at, page by page, from a cursor kept between sweeps: entries waiting out long back-offs
   * at its head cannot hide a dead consumer's entries behind them.
   */
  Future<List<Entry>> claimDue() {
    return sweepConsumers().compose(v -> claimPages(PAGES_PER_SWEEP, new ArrayList<>()));
  }

  private Future<List<Entry>> claimPages(int pagesLeft, List<Entry> claimed) {
    long minIdle = Math.min(visibilityMillis, backoffMillis);
    return redis.send(Request.cmd(Command.XPENDING).arg(stream).arg(StreamKeys.GROUP)
            .arg("IDLE").arg(minIdle).arg(cursor).arg("+").arg(SCAN))
        .compose(page -> {
          int rows = page == null ? 0 : page.size();
          cursor = rows < SCAN ? "-" : "(" + page.get(rows - 1).get(0).toString();
          return claimEligible(page).compose(entries -> {
            claimed.addAll(entries);
            return rows < SCAN || pagesLeft <= 1 ? Future.succeededFuture(claimed) : claimPages(pagesLeft - 1, claimed);
          });
        });
  }

  // XPENDING rows: [entry id, consumer, idle ms, deliveries]
  private Future<List<Entry>> claimEligible(Response pending) {
    if (pending == null || pending.size() == 0) {
      return Future.succeededFuture(List.of());
    }
    Request errors = Request.cmd(Command.HMGET).arg(keys.errors(queue));
    Request finished = Request.cmd(Command.HMGET).arg(keys.finished(queue));
    for (Response row : pending) {
      errors.arg(row.get(0).toString());
      finished.arg(row.get(0).toString());
    }
    return redis.batch(List.of(errors, finished)).compose(noted -> {
      Response lastErrors = noted.get(0);
      List<Request> claims = new ArrayList<>();
      List<String> claimErrors = new ArrayList<>();
      List<Long> claimDeliveries = new ArrayList<>();
      List<Set<String>> claimFinished = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        Response row = pending.get(i);
        long idle = row.get(2).toLong();
        long deliveries = row.get(3).toLong();
        Response error = lastErrors.get(i);
        // Past its attempts, an entry is being dead-lettered by whoever claimed it last, which can take longer than a
        // backoff for a big entry: only a claimer gone for the visibility timeout makes it claimable again.
        long due = error != null && deliveries <= maxAttempts ? backoff(deliveries) : visibilityMillis;
        if (idle >= due) {
          claims.add(Request.cmd(Command.XCLAIM).arg(stream).arg(StreamKeys.GROUP).arg(consumer).arg(due)
              .arg(row.get(0).toString()));
          claimErrors.add(error != null ? error.toString()
              : "not acknowledged within " + visibilityMillis + " ms by consumer " + row.get(1) + " (stopped or killed?)");
          claimDeliveries.add(deliveries + 1);
          claimFinished.add(finishedIds(noted.get(1).get(i)));
        }
      }
      if (claims.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      return redis.batch(claims).compose(replies -> settleClaims(replies, claimErrors, claimDeliveries, claimFinished));
    });
  }

  private Future<List<Entry>> settleClaims(List<Response> replies, List<String> errors, List<Long> deliveries,
                                          List<Set<String>> finished) {
    List<Entry> toRun = new ArrayList<>();
    List<Request> deadLetters = new ArrayList<>();
    List<String> deadRecords = new ArrayList<>();
    /** The jobs dead-lettered, each with the index of its request in deadLetters (before the record writes). */
    List<DeadJob> dead = new ArrayList<>();
    for (int i = 0; i < replies.size(); i++) {
      String error = errors.get(i);
      for (Entry won : Entry.parseAll(queue, replies.get(i), deliveries.get(i))) {
        Entry left = won.without(finished.get(i));
        if (left.deliveries() > maxAttempts) {
          deadLetter(left, error, deadLetters, deadRecords, dead);
        } else {
          toRun.add(left);
        }
      }
    }
    if (deadLetters.isEmpty()) {
      return Future.succeededFuture(toRun);
    }
    List<Request> recordWrites = chains.dead(deadRecords, System.currentTimeMillis());
    int recordCalls = recordWrites.size();
    // Records (and chains) first: a chain stops in the same round trip as its job becomes a dead letter, and a job
    // canceled before keeps its record (the script leaves it) and gets no letter (DEAD_LETTER finds it canceled).
    deadLetters.addAll(0, recordWrites);
    deadLetters.add(DeadLetters.trim(keys, maxDead));
    return InOrderBatches.send(deadLetters, redis::batch).map(written -> {
      if (recordCalls > 0) {
        ChainScripts.events(written.subList(0, recordCalls)).forEach(onDead::chainStopped);
      }
      long trimmed = DeadLetters.trimmed(written.get(written.size() - 1));
      if (trimmed > 0) {
        log.warn("the dead-letter stream {} is at --max-dead {}: its {} oldest letter(s) were dropped", keys.dead(), maxDead, trimmed);
        redis.send(Request.cmd(Command.HINCRBY).arg(keys.counters(type)).arg("deadTrimmed").arg(trimmed))
            .onFailure(err -> log.warn("could not count {} trimmed dead letters", trimmed, err));
      }
      for (DeadJob job : dead) {
        Response reply = written.get(recordCalls + job.request());
        if (job.job().tracked() && reply != null && reply.toLong() == 0) {
          log.info("job {} (entry {}) was canceled while it waited for its retry: not dead-lettered", job.job().id(),
              job.entry().entryId());
          continue;
        }
        log.warn("job {} (entry {}) failed {} attempts; moved to {}: {}", job.job().id(), job.entry().entryId(),
            job.entry().deliveries() - 1, keys.dead(), job.error());
        onDead.dead(job.job(), job.entry().deliveries() - 1, job.error());
      }
      return toRun;
    });
  }

  private record DeadJob(Entry entry, Job job, String error, int request) {
  }

  // KEYS[1]: the job's record, KEYS[2]: the dead-letter stream, KEYS[3]: the type's counters; ARGV: the letter's fields.
  // A job canceled while it waited for its retry is over as canceled (counted so, as a worker that skips it counts
  // it), not dead: 0. Otherwise the letter is written and counted: 1. In one step with the check, so a cancel is
  // either before (no letter) or after (the record says dead by then: the cancel answers 409).
  private static final String DEAD_LETTER = String.join("\n", ScriptFlags.ALLOW_OOM,
      "if redis.call('HGET', KEYS[1], 'status') == 'canceled' then",
      "  redis.call('HINCRBY', KEYS[3], 'processed', 1)",
      "  redis.call('HINCRBY', KEYS[3], 'canceled', 1)",
      "  return 0",
      "end",
      "redis.call('XADD', KEYS[2], '*', unpack(ARGV))",
      "redis.call('HINCRBY', KEYS[3], 'dead', 1)",
      "return 1");

  /** The ids an earlier attempt noted as finished (a JSON array), or none. */
  private static Set<String> finishedIds(Response noted) {
    if (noted == null) {
      return Set.of();
    }
    Set<String> ids = new HashSet<>();
    for (Object id : new JsonArray(noted.toString())) {
      ids.add(String.valueOf(id));
    }
    return ids;
  }

  /**
   * Appends to {@code requests} a dead letter, with the last error, for each job the entry has left (a tracked job
   * canceled while it waited for its retry gets none: {@link #DEAD_LETTER}), then the removal of the entry from the
   * work stream.
   */
  private void deadLetter(Entry entry, String lastError, List<Request> requests, List<String> deadRecords, List<DeadJob> dead) {
    long now = System.currentTimeMillis();
    long attempts = entry.deliveries() - 1;
    long untracked = 0;
    for (Job job : entry.jobs()) {
      List<Object> fields = List.of("job", job.toJson().encode(), "error", lastError, "attempts", attempts,
          "entry", entry.entryId(), "type", type, "failedAt", now);
      Request letter;
      if (job.tracked()) {
        letter = Request.cmd(Command.EVAL).arg(DEAD_LETTER).arg(3).arg(keys.record(job.id())).arg(keys.dead())
            .arg(keys.counters(type));
        deadRecords.addAll(List.of(job.id(), lastError, Long.toString(attempts)));
      } else {
        letter = Request.cmd(Command.XADD).arg(keys.dead()).arg("*");
        untracked++;
      }
      fields.forEach(f -> letter.arg(f.toString()));
      dead.add(new DeadJob(entry, job, lastError, requests.size()));
      requests.add(letter);
    }
    requests.addAll(List.of(
        Request.cmd(Command.XACK).arg(stream).arg(StreamKeys.GROUP).arg(entry.entryId()),
        Request.cmd(Command.XDEL).arg(stream).arg(entry.entryId()),
        Request.cmd(Command.HDEL).arg(keys.errors(queue)).arg(entry.entryId()),
        Request.cmd(Command.HDEL).arg(keys.finished(queue)).arg(entry.entryId())));
    if (untracked > 0) {
      requests.add(Request.cmd(Command.HINCRBY).arg(keys.counters(type)).arg("dead").arg(untracked));
    }
  }

  /** After a job's {@code deliveries}-th attempt failed. */
  private long backoff(long deliveries) {
    return retries.delayMillis(deliveries);
  }

  // XINFO CONSUMERS rows (RESP2): [name, n, pending, n, idle, ms, ...]. A consumer that looks empty is deleted only
  // if it still holds nothing at that moment (one script): a claim landing in between would otherwise be lost.
  private Future<Void> sweepConsumers() {
    long now = System.currentTimeMillis();
    if (now - lastSweep < CONSUMER_SWEEP_MILLIS) {
      return Future.succeededFuture();
    }
    lastSweep = now;
    long silentFor = Math.max(CONSUMER_SWEEP_MILLIS, 3 * visibilityMillis);
    return redis.send(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream).arg(StreamKeys.GROUP))
        .compose(consumers -> {
          List<Future<Boolean>> deletions = new ArrayList<>();
          for (Response row : consumers) {
            JsonObject c = RedisPairs.toJson(row);
            String name = field(c, "name");
            if (!name.equals(consumer) && Long.parseLong(field(c, "pending")) == 0 && Long.parseLong(field(c, "idle")) > silentFor) {
              deletions.add(GroupScripts.leaveIfIdle(redis, stream, name).onSuccess(deleted -> {
                if (deleted) {
                  log.info("removed consumer {} from group {}: it held nothing and was silent for over {} s", name,
                      StreamKeys.GROUP, silentFor / 1000);
                }
              }));
            }
          }
          return Future.all(deletions).mapEmpty();
        });
  }

  private static String field(JsonObject consumer, String name) {
    String value = consumer.getString(name);
    if (value == null) {
      throw new IllegalStateException("XINFO CONSUMERS reply without '" + name + "'");
    }
    return value;
  }
}
