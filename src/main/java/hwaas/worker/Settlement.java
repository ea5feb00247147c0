package hwaas.worker;

import hwaas.queue.JobRecords;
import hwaas.queue.ResultCache;
import hwaas.queue.StreamKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of running a batch of one type, and the Redis commands that record it: finished entries are
 * acknowledged and deleted (the stream keeps only unfinished work); failed ones stay pending with their
 * error noted, so the next attempt waits its backoff and a dead letter can say what went wrong. Status
 * records of tracked jobs and cached results are updated in the same round trip.
 */
record Settlement(JobType type, List<Done> finished, List<Failed> failed) {

  record Done(Entry entry, JsonObject result) {
  }

  record Failed(Entry entry, String error) {
  }

  /** @param retried the entries may have errors noted from earlier attempts, to be cleared */
  List<Request> requests(StreamKeys keys, JobRecords records, ResultCache cache, boolean retried) {
    String stream = keys.stream(type.name());
    long now = System.currentTimeMillis();
    List<Request> requests = new ArrayList<>(6);
    if (!finished.isEmpty()) {
      Request xack = Request.cmd(Command.XACK).arg(stream).arg(StreamKeys.GROUP);
      Request xdel = Request.cmd(Command.XDEL).arg(stream);
      Request hdel = Request.cmd(Command.HDEL).arg(keys.errors(type.name()));
      for (Done done : finished) {
        xack.arg(done.entry().entryId());
        xdel.arg(done.entry().entryId());
        hdel.arg(done.entry().entryId());
        if (done.entry().job() != null && done.entry().job().tracked()) {
          String result = done.result() == null ? "{}" : done.result().encode();
          requests.addAll(records.completed(done.entry().job().id(), result, now));
          if (type.cacheable() && done.result() != null) {
            requests.add(cache.store(type.name(), done.entry().job().payload(), result));
          }
        }
      }
      requests.add(xack);
      requests.add(xdel);
      if (retried) {
        requests.add(hdel);
      }
      requests.add(Request.cmd(Command.HINCRBY).arg(keys.counters(type.name())).arg("processed").arg(finished.size()));
    }
    if (!failed.isEmpty()) {
      Request hset = Request.cmd(Command.HSET).arg(keys.errors(type.name()));
      for (Failed f : failed) {
        hset.arg(f.entry().entryId()).arg(f.error());
        if (f.entry().job().tracked()) {
          requests.addAll(records.failed(f.entry().job().id(), f.error(), f.entry().deliveries()));
        }
      }
      requests.add(hset);
      requests.add(Request.cmd(Command.HINCRBY).arg(keys.counters(type.name())).arg("failed").arg(failed.size()));
    }
    return requests;
  }
}
