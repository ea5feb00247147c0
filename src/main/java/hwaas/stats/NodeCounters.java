package hwaas.stats;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this node did, counted locally by its clients and workers (many event loops, hence adders).
 * One instance per node, never static, so several nodes can share a JVM in tests.
 */
public final class NodeCounters {
  /** Jobs whose submission a queue confirmed with a stream entry id. */
  public final LongAdder submitted = new LongAdder();
  /** Jobs whose submission was resent after a failure or timeout (each resend counts). */
  public final LongAdder retried = new LongAdder();
  /** Jobs given up at shutdown without a confirmation: maybe in the stream, maybe not; counted as failed. */
  public final LongAdder unconfirmed = new LongAdder();
  /** Jobs a worker printed and acknowledged. */
  public final LongAdder printed = new LongAdder();
  /** Failed attempts; the job stays pending for another. */
  public final LongAdder failed = new LongAdder();
  /** Jobs this node's workers moved to the dead-letter stream. */
  public final LongAdder dead = new LongAdder();
  /** Print time minus the client's send time, in milliseconds, of every printed job. */
  public final Latency latency = new Latency();
  /** How late the last once-a-second stats timer fired, in milliseconds: a busy or blocked event loop shows here. */
  public final java.util.concurrent.atomic.AtomicLong eventLoopDelayMillis = new java.util.concurrent.atomic.AtomicLong();
  /** The highest message number (a client's sequence, from 0) printed so far; -1 before the first. */
  public final LongAccumulator highestSeq = new LongAccumulator(Math::max, -1);

  /** A print job's line went out (it counts as printed once acknowledged): its latency and number. */
  public void lineOut(long seq, long sentAt, long now) {
    highestSeq.accumulate(seq);
    latency.record(now - sentAt);
  }
}
