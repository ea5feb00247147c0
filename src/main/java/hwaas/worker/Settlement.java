package hwaas.worker;

import hwaas.queue.StreamKeys;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The outcome of running a batch, and the Redis commands that record it: finished entries are acknowledged
 * and deleted (the stream keeps only unfinished work); failed ones stay pending with their error noted, so
 * the next attempt waits its backoff and a dead letter can say what went wrong.
 */
record Settlement(List<String> finished, Map<String, String> failed) {

  /** @param retried the entries may have errors noted from earlier attempts, to be cleared */
  List<Request> requests(StreamKeys keys, boolean retried) {
    List<Request> requests = new ArrayList<>(4);
    if (!finished.isEmpty()) {
      Request xack = Request.cmd(Command.XACK).arg(keys.stream()).arg(StreamKeys.GROUP);
      Request xdel = Request.cmd(Command.XDEL).arg(keys.stream());
      Request hdel = Request.cmd(Command.HDEL).arg(keys.errors());
      for (String id : finished) {
        xack.arg(id);
        xdel.arg(id);
        hdel.arg(id);
      }
      requests.add(xack);
      requests.add(xdel);
      if (retried) {
        requests.add(hdel);
      }
    }
    if (!failed.isEmpty()) {
      Request hset = Request.cmd(Command.HSET).arg(keys.errors());
      failed.forEach((id, error) -> hset.arg(id).arg(error));
      requests.add(hset);
    }
    return requests;
  }
}
