package hwaas.queue;

import java.util.List;
import java.util.Locale;

/**
 * How soon a job runs when its type has a backlog. Each priority of a type has a stream of its own (the normal one
 * keeps the type's name: {@code hwaas:jobs:sum}, {@code hwaas:jobs:sum:high}, {@code hwaas:jobs:sum:low}). A worker's
 * reads follow a weighted round of 13: in 8 it reads high first, in 4 normal first, in 1 low first, each time going on
 * to the others, in priority order, for what is left of its batch. So high runs before normal before low whenever they
 * compete, and low still gets at least one read in 13 however much high keeps arriving.
 */
public enum Priority {
  HIGH(":high"), NORMAL(""), LOW(":low");

  /** The high-to-low order of every read that does not start elsewhere. */
  public static final List<Priority> ORDER = List.of(HIGH, NORMAL, LOW);

  private final String suffix;

  Priority(String suffix) {
    this.suffix = suffix;
  }

  /** The queue a job of {@code type} at this priority waits in: the type's name, and for high and low a suffix. */
  public String queue(String type) {
    return type + suffix;
  }

  public String suffix() {
    return suffix;
  }

  /** How the API names it. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The priority read first on read number {@code turn}: high on 8 turns of 13, normal on 4, low on 1 (spread out:
   * H N H H N H L H N H H N H).
   */
  public static Priority first(long turn) {
    return ROUND[(int) (turn % ROUND.length)];
  }

  private static final Priority[] ROUND = {HIGH, NORMAL, HIGH, HIGH, NORMAL, HIGH, LOW, HIGH, NORMAL, HIGH, HIGH, NORMAL, HIGH};

  /** @throws IllegalArgumentException naming the accepted values */
  public static Priority parse(String label) {
    for (Priority p : values()) {
      if (p.label().equals(label)) {
        return p;
      }
    }
    throw new IllegalArgumentException("priority must be high, normal or low, got " + label);
  }

  /** The queues of a type, high to low. */
  public static List<String> queues(String type) {
    return ORDER.stream().map(p -> p.queue(type)).toList();
  }
}
