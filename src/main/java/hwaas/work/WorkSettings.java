package hwaas.work;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Map;

/**
 * External workers over HTTP.
 *
 * @param lease          how long a fetched job is held for its worker (--lease)
 * @param declared       types declared at start (--external-type NAME=SCHEMA_FILE): name to payload schema
 * @param consumerPrefix names this node's consumers of declared types (its node id)
 * @param maxAttempts    deliveries of a job before it is dead (--max-attempts, as for built-in types)
 * @param retryBackoff   wait before the second attempt of a failed job, doubling
 */
public record WorkSettings(Duration lease, Map<String, JsonObject> declared, String consumerPrefix, int maxAttempts,
                           Duration retryBackoff) {
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  /** Dedicated Redis connections a node keeps for waiting fetches. */
  static final int MAX_WAITING_READS = 16;

  public WorkSettings {
    if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("--lease must be between 1 and 3600 seconds, got " + lease.toMillis() / 1000.0);
    }
    declared = Map.copyOf(declared);
  }

  public static WorkSettings defaults() {
    return new WorkSettings(DEFAULT_LEASE, Map.of(), "node", 5, Duration.ofSeconds(1));
  }

  public WorkSettings withLease(Duration lease) {
    return new WorkSettings(lease, declared, consumerPrefix, maxAttempts, retryBackoff);
  }

  public WorkSettings withDeclared(Map<String, JsonObject> declared) {
    return new WorkSettings(lease, declared, consumerPrefix, maxAttempts, retryBackoff);
  }

  /** As the node runs it: its id, and the retries of its workers. */
  public WorkSettings forNode(String nodeId, int maxAttempts, Duration retryBackoff) {
    return new WorkSettings(lease, declared, nodeId, maxAttempts, retryBackoff);
  }
}
