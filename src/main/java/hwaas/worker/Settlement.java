package hwaas.worker;

import hwaas.chain.ChainScripts;
import hwaas.jobs.Job;
import hwaas.jobs.JobType;

import hwaas.queue.JobRecords;
import hwaas.queue.ResultCache;
import hwaas.queue.ScriptFlags;
import hwaas.queue.StreamKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outcome of running a read of one type, entry by entry, and the Redis commands that record it. An entry
 * whose jobs all finished is acknowledged and deleted (the stream keeps only unfinished work). An entry with a
 * failed job stays pending with its error noted, so the next attempt waits its backoff and a dead letter can
 * say what went wrong, and with the ids of its finished jobs noted, so the next attempt runs only the rest.
 * Status records of tracked jobs and cached results are updated in the same round trip.
 */
record Settlement(JobType type, List<Outcome> outcomes) {

  /**
   * @param outputClosed the entry's unfinished jobs could not be printed because standard output went away: not
   *                     their fault, so no attempt is counted and no error noted; the entry is given back
   */
  record Outcome(Entry entry, List<Done> finished, List<Failed> failed, boolean outputClosed) {
    boolean complete() {
      return failed.isEmpty();
    }
  }

  /** @param canceled the job was canceled: over without a result, its record left as the cancel wrote it */
  record Done(Job job, JsonObject result, boolean canceled) {
  }

  record Failed(Job job, String error) {
  }

  /** Jobs that finished in this attempt (canceled ones not counted). */
  int finishedJobs() {
    return outcomes.stream().mapToInt(o -> (int) o.finished().stream().filter(done -> !done.canceled()).count()).sum();
  }

  /** A failed attempt whose job's record is written, and which attempt it was. */
  private record RecordedFailure(Failed failed, long attempt) {
  }

  /**
   * The failed attempts whose records {@link #requests} writes, in that order: of tracked jobs, in entries not given
   * back (an entry given back counts no attempt).
   */
  private List<RecordedFailure> recordedFailures() {
    List<RecordedFailure> recorded = new ArrayList<>();
    for (Outcome outcome : outcomes) {
      if (!outcome.outputClosed() && !outcome.complete()) {
        outcome.failed().stream().filter(f -> f.job().tracked())
            .forEach(f -> recorded.add(new RecordedFailure(f, outcome.entry().deliveries())));
      }
    }
    return recorded;
  }

  /**
   * Of the failed jobs, those whose records were found canceled (a cancel came while they ran): their attempt is
   * over as canceled, and their next one skips them.
   *
   * @param replies the replies to all of {@link #requests}
   */
  Set<String> canceledOnFailure(List<Response> replies) {
    List<RecordedFailure> failed = recordedFailures();
    Set<String> canceled = new HashSet<>();
    int first = recordRequests();
    for (int i = 0; i < failed.size(); i++) {
      Response reply = replies.get(first + i);
      if (reply != null && reply.toLong() == 0) { // JobRecords.failed: 0 when the record was canceled
        canceled.add(failed.get(i).failed().job().id());
      }
    }
    return canceled;
  }

  /** How many of the first requests write the records of finished tracked jobs and move their chains on. */
  int recordRequests() {
    return ChainScripts.calls((int) outcomes.stream()
        .mapToLong(o -> o.finished().stream().filter(done -> done.job().tracked() && !done.canceled()).count()).sum());
  }

  /**
   * @param retried the entries may have errors and finished jobs noted from earlier attempts, to be cleared
   */
  List<Request> requests(StreamKeys keys, JobRecords records, ChainScripts chains, ResultCache cache, boolean retried,
                         long maxDead) {
    long now = System.currentTimeMillis();
    List<Request> requests = new ArrayList<>(8);
    Map<String, QueueWrites> queues = new LinkedHashMap<>();
    int finishedJobs = 0;
    int canceledJobs = 0;
    int failedJobs = 0;
    List<String> completed = new ArrayList<>();
    for (Outcome outcome : outcomes) {
      String entryId = outcome.entry().entryId();
      QueueWrites queue = queues.computeIfAbsent(outcome.entry().queue(), q -> new QueueWrites(keys, q));
      if (outcome.entry().error() != null) {
        // Unreadable: kept, with the reason and its fields as they were, in the dead letters (no job to requeue).
        requests.add(Request.cmd(Command.EVAL).arg(DEAD_UNREADABLE).arg(1).arg(keys.dead()).arg(keys.counters(type.name()))
            .arg(maxDead).arg("error").arg("unreadable entry: " + outcome.entry().error()).arg("raw").arg(outcome.entry().raw())
            .arg("attempts").arg(outcome.entry().deliveries()).arg("entry").arg(entryId).arg("type").arg(type.name())
            .arg("failedAt").arg(now));
      }
      for (Done done : outcome.finished()) {
        finishedJobs++;
        if (done.canceled()) {
          canceledJobs++;
        } else if (done.job().tracked()) {
          String result = done.result() == null ? "{}" : done.result().encode();
          completed.add(done.job().id());
          completed.add(result);
          if (type.cacheable() && done.result() != null) {
            requests.add(cache.store(type.name(), done.job().payload(), result));
          }
        }
      }
      if (outcome.complete()) {
        queue.complete++;
        queue.xack.arg(entryId);
        queue.xdel.arg(entryId);
        queue.clearErrors.arg(entryId);
        queue.clearDone.arg(entryId);
        continue;
      }
      JsonArray finishedIds = new JsonArray(new ArrayList<>(outcome.entry().doneBefore()));
      outcome.finished().forEach(done -> finishedIds.add(done.job().id()));
      if (!finishedIds.isEmpty()) {
        queue.someDone++;
        queue.noteDone.arg(entryId).arg(finishedIds.encode());
      }
      if (outcome.outputClosed()) {
        continue; // given back as it was: no error, no failed attempt
      }
      queue.incomplete++;
      queue.noteErrors.arg(entryId).arg(outcome.failed().get(0).error());
      failedJobs += outcome.failed().size();
    }
    // Right after the chains' calls: canceledOnFailure reads their replies there.
    List<Request> failedRecords = new ArrayList<>();
    recordedFailures().forEach(r -> failedRecords.addAll(records.failed(r.failed().job().id(), r.failed().error(), r.attempt())));
    requests.addAll(0, failedRecords);
    if (!completed.isEmpty()) {
      requests.addAll(0, chains.completed(completed, now)); // before the acknowledgement: a chain's next step is not lost
    }
    queues.values().forEach(queue -> queue.addTo(requests, retried));
    if (finishedJobs + canceledJobs + failedJobs > 0) {
      // One call, and one that a full Redis still takes (ScriptFlags): the rest of a settlement only removes.
      Request count = Request.cmd(Command.EVAL).arg(COUNT).arg(1).arg(keys.counters(type.name()));
      if (finishedJobs > 0) {
        count.arg("processed").arg(finishedJobs);
      }
      if (canceledJobs > 0) {
        count.arg("canceled").arg(canceledJobs);
      }
      if (failedJobs > 0) {
        count.arg("failed").arg(failedJobs);
      }
      requests.add(count);
    }
    return requests;
  }

  // KEYS[1]: a hash; ARGV: field, value, ... (a settlement notes at most one read's entries: far below unpack's limit).
  private static final String NOTE = String.join("\n", ScriptFlags.ALLOW_OOM,
      "return redis.call('HSET', KEYS[1], unpack(ARGV))");

  // KEYS[1]: the dead letters; ARGV: 1 the type's counters, 2 the most letters kept, then the letter's fields and
  // values. Written even past Redis's memory limit (ScriptFlags), as the rest of a settlement is: refused, the
  // settlement would be retried for as long as Redis stays full.
  private static final String DEAD_UNREADABLE = String.join("\n", ScriptFlags.ALLOW_OOM,
      "redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', unpack(ARGV, 3))",
      "redis.call('HINCRBY', ARGV[1], 'dead', 1)");

  // KEYS[1]: a type's counters; ARGV: field, increment, ...
  private static final String COUNT = String.join("\n", ScriptFlags.ALLOW_OOM,
      "for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end");

  /** Entries given back, by queue. */
  Map<String, List<String>> givenBackByQueue() {
    Map<String, List<String>> byQueue = new LinkedHashMap<>();
    outcomes.stream().filter(o -> !o.complete() && o.outputClosed())
        .forEach(o -> byQueue.computeIfAbsent(o.entry().queue(), q -> new ArrayList<>()).add(o.entry().entryId()));
    return byQueue;
  }

  /** What a settlement writes about the entries of one queue (a type's stream of one priority). */
  private static final class QueueWrites {
    final Request xack;
    final Request xdel;
    final Request clearErrors;
    final Request clearDone;
    final Request noteErrors;
    final Request noteDone;
    int complete;
    int incomplete;
    int someDone;

    QueueWrites(StreamKeys keys, String queue) {
      String stream = keys.stream(queue);
      xack = Request.cmd(Command.XACK).arg(stream).arg(StreamKeys.GROUP);
      xdel = Request.cmd(Command.XDEL).arg(stream);
      clearErrors = Request.cmd(Command.HDEL).arg(keys.errors(queue));
      clearDone = Request.cmd(Command.HDEL).arg(keys.finished(queue));
      // Notes that the next attempt needs (the error for its backoff, the jobs it must not run again), so written
      // even past Redis's memory limit (ScriptFlags).
      noteErrors = Request.cmd(Command.EVAL).arg(NOTE).arg(1).arg(keys.errors(queue));
      noteDone = Request.cmd(Command.EVAL).arg(NOTE).arg(1).arg(keys.finished(queue));
    }

    void addTo(List<Request> requests, boolean retried) {
      if (complete > 0) {
        requests.add(xack);
        requests.add(xdel);
        if (retried) {
          requests.add(clearErrors);
          requests.add(clearDone);
        }
      }
      if (incomplete > 0) {
        requests.add(noteErrors);
      }
      if (someDone > 0) {
        requests.add(noteDone);
      }
    }
  }
}
