package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * {@code WAIT N} behind a write, on the same connection (WAIT counts the replicas that have that connection's writes),
 * sent at once after it so the two share one round trip: the write counts as done only when N replicas acknowledged
 * it, so a confirmed submission survives the primary's loss. Too few in time fails the write; the submitter resends
 * with the same key, which the idempotency key turns into a second WAIT, not a second entry.
 */
final class ReplicaWait {
  /**
   * How long one WAIT may hold the writes' connection (and the writes queued behind it) before the submission is
   * answered as unavailable: a replica acknowledges in well under a millisecond on a LAN; a missing one should not
   * slow the stream's intake to a write a second.
   */
  static final long TIMEOUT_MILLIS = 250;

  private final PipelinedConnection writes;
  private final int replicas;

  ReplicaWait(PipelinedConnection writes, int replicas) {
    this.writes = writes;
    this.replicas = replicas;
  }

  Future<Response> send(Request write) {
    Future<Response> written = writes.send(write);
    if (replicas == 0) {
      return written;
    }
    Future<Response> waited = writes.send(Request.cmd(Command.WAIT).arg(replicas).arg(TIMEOUT_MILLIS));
    return written.compose(reply -> waited.compose(acks -> acks.toInteger() >= replicas
        ? Future.succeededFuture(reply)
        : Future.failedFuture(new IllegalStateException("only " + acks + " of the " + replicas
            + " Redis replicas asked for (--redis-replicas) acknowledged the write within " + TIMEOUT_MILLIS + " ms"))));
  }
}
