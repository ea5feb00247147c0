package hwaas.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * What this node did, counted locally by its clients and workers (many event loops, hence adders).
 * One instance per node, never static, so several nodes can share a JVM in tests.
 */
public final class NodeCounters {
  /** Jobs whose submission a queue confirmed with a stream entry id. */
  public final LongAdder submitted = new LongAdder();
  /** Submissions retried after a failure or timeout. */
  public final LongAdder retried = new LongAdder();
  /** Submissions given up at shutdown without a confirmation: never in the stream, so never printed. */
  public final LongAdder unconfirmed = new LongAdder();
  /** Jobs a worker printed and acknowledged. */
  public final LongAdder printed = new LongAdder();
  /** Jobs whose handler failed; they stay pending in the stream. */
  public final LongAdder failed = new LongAdder();
}
