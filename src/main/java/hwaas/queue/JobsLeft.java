package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Counts the jobs still to do in the streams: an entry holds one job or many, so its length is not enough.
 * Jobs that an earlier attempt of their entry finished do not count. Reads every entry, a page at a time, so
 * it is for a summary at the end of a run, not for once a second.
 */
public final class JobsLeft {
  private static final int PAGE = 500;

  private JobsLeft() {
  }

  public static Future<Long> count(Redis redis, Partitions partitions, Iterable<String> types) {
    Future<Long> total = Future.succeededFuture(0L);
    for (StreamKeys keys : partitions.all()) {
      for (String type : types) {
        for (String queue : Priority.queues(type)) {
          total = total.compose(sum -> inStream(redis, keys.stream(queue), "-", 0)
              .compose(jobs -> finishedBefore(redis, keys.finished(queue)).map(done -> sum + jobs - done)));
        }
      }
    }
    return total;
  }

  private static Future<Long> inStream(Redis redis, String stream, String from, long counted) {
    return redis.send(Request.cmd(Command.XRANGE).arg(stream).arg(from).arg("+").arg("COUNT").arg(PAGE)).compose(page -> {
      long jobs = counted;
      String last = null;
      for (Response entry : page) {
        last = entry.get(0).toString();
        jobs += jobsIn(entry.get(1));
      }
      return page.size() < PAGE ? Future.succeededFuture(jobs) : inStream(redis, stream, "(" + last, jobs);
    });
  }

  // An entry no worker can read is acknowledged without running: it leaves nothing to do.
  private static long jobsIn(Response fields) {
    try {
      return StreamEntry.jobs(fields).size();
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }

  private static Future<Long> finishedBefore(Redis redis, String finished) {
    return redis.send(Request.cmd(Command.HVALS).arg(finished)).map(lists -> {
      long done = 0;
      for (Response ids : lists) {
        done += new JsonArray(ids.toString()).size();
      }
      return done;
    });
  }
}
