package hwaas.queue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The paused job types as this node knows them: one per node, shared by its HTTP verticle and its workers. The node
 * that takes a pause applies it here before it answers, so none of its workers starts a job of that type once the
 * pause is confirmed; other nodes apply it when the event bus tells them (milliseconds), and every worker re-reads
 * Redis, which holds the truth, every second.
 */
public final class PausedTypes {
  private final Set<String> paused = ConcurrentHashMap.newKeySet();
  /** Per type, when it last changed here ({@link System#nanoTime}): a read of Redis sent before then is older news. */
  private final Map<String, Long> changedAt = new ConcurrentHashMap<>();

  public boolean contains(String type) {
    return paused.contains(type);
  }

  public synchronized void set(String type, boolean isPaused) {
    changedAt.put(type, System.nanoTime());
    if (isPaused) {
      paused.add(type);
    } else {
      paused.remove(type);
    }
  }

  /**
   * Takes the paused set that Redis held when a read sent at {@code sentAt} ({@link System#nanoTime}) reached it; a
   * type changed here since then keeps its state (the read may predate that change).
   */
  public synchronized void refresh(Set<String> inRedis, long sentAt) {
    for (String type : Set.copyOf(paused)) {
      if (!inRedis.contains(type) && isOlder(type, sentAt)) {
        paused.remove(type);
      }
    }
    for (String type : inRedis) {
      if (isOlder(type, sentAt)) {
        paused.add(type);
      }
    }
  }

  private boolean isOlder(String type, long sentAt) {
    Long at = changedAt.get(type);
    return at == null || at - sentAt < 0;
  }
}
