package hwaas.queue;

import java.time.Duration;

import static hwaas.support.Check.positive;
import static hwaas.support.Check.require;

/**
 * How jobs are kept in Redis and how long a submitter waits for them to be.
 *
 * @param keyPrefix     every Redis key starts with it ({@link StreamKeys})
 * @param dedupWindow   how long a submission's key is remembered, making resends harmless
 * @param recordTtl     how long the status record of an API job (and a cached result) is kept after its last change
 * @param submitTimeout how long a submitter (client or API) waits for the queue's reply before it retries or gives up
 * @param maxDead       dead letters kept; past it the oldest are trimmed (logged and counted)
 * @param maxBacklog    jobs of one type waiting (delayed ones too) or running; at it, submissions are refused (429)
 *                      until workers catch up
 * @param maxDelay      the furthest in the future a job may be delayed
 * @param redisReplicas replicas that must have a write ({@code WAIT}) before a submission is confirmed; 0: the primary's
 *                      word is enough (asynchronous replication, today's speed)
 * @param partitions    how many partitions the streams are spread over ({@link Partitions}): above 1 only on a Redis
 *                      Cluster, whose prefix is a hash tag; 0: the default, one per primary on a cluster (the node
 *                      asks it at start), else one
 */
public record QueueSettings(String keyPrefix, Duration dedupWindow, Duration recordTtl, Duration submitTimeout, long maxDead,
                            long maxBacklog, Duration maxDelay, int redisReplicas, int partitions) {
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofDays(30);
  public static final long DEFAULT_MAX_DEAD = 100_000;
  public static final long DEFAULT_MAX_BACKLOG = 10_000_000;


  public QueueSettings {
    require(keyPrefix != null && keyPrefix.matches("[A-Za-z0-9_.:-]{1,64}|\\{[A-Za-z0-9_.:-]{1,64}}"),
        "key prefix must be 1 to 64 plain characters, in braces on a Redis Cluster");
    require(positive(dedupWindow) && dedupWindow.toSeconds() >= 1, "--dedup-window must be at least 1 second");
    require(positive(recordTtl) && recordTtl.toSeconds() >= 1, "--record-ttl must be at least 1 second");
    require(positive(submitTimeout), "submit timeout must be above 0");
    require(maxDead >= 1 && maxDead <= 100_000_000, "--max-dead must be between 1 and 100000000, got " + maxDead);
    require(maxBacklog >= 1, "--max-backlog must be at least 1, got " + maxBacklog);
    require(positive(maxDelay) && maxDelay.toDays() <= 3650, "--max-delay must be above 0 and at most 3650 days");
    require(redisReplicas >= 0 && redisReplicas <= 16, "--redis-replicas must be between 0 and 16, got " + redisReplicas);
    require(partitions >= 0 && partitions <= Partitions.MAX,
        "--partitions must be between 1 and " + Partitions.MAX + ", got " + partitions);
  }

  /** The default partitions: one per primary on a Redis Cluster, else one. */
  public QueueSettings(String keyPrefix, Duration dedupWindow, Duration recordTtl, Duration submitTimeout, long maxDead,
                       long maxBacklog, Duration maxDelay, int redisReplicas) {
    this(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, redisReplicas, 0);
  }

  /** Confirmed on the primary's word alone ({@code redisReplicas} 0). */
  public QueueSettings(String keyPrefix, Duration dedupWindow, Duration recordTtl, Duration submitTimeout, long maxDead,
                       long maxBacklog, Duration maxDelay) {
    this(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, 0);
  }

  public static QueueSettings defaults() {
    return new QueueSettings("hwaas", Duration.ofSeconds(120), Duration.ofHours(1), Duration.ofSeconds(5), DEFAULT_MAX_DEAD, DEFAULT_MAX_BACKLOG,
        DEFAULT_MAX_DELAY, 0, 0);
  }

  /** The home partition's keys: the service's own, and all of them on one Redis ({@link Partitions}). */
  public StreamKeys keys() {
    return new StreamKeys(keyPrefix);
  }

  /** Every partition's keys, the home first ({@code partitions} 0, not yet asked, counts as 1). */
  public Partitions partitionKeys() {
    return keyPrefix.startsWith("{") ? Partitions.spread(keyPrefix, Math.max(1, partitions)) : Partitions.single(keyPrefix);
  }

  /**
   * The keys for a Redis Cluster, or not: there every key goes under one hash tag, the prefix in braces
   * ({@code {hwaas}:jobs:print}), so that the keys of each script share its slot (docs/redis-cluster.md).
   */
  public QueueSettings onRedisCluster(boolean cluster) {
    boolean tagged = keyPrefix.startsWith("{");
    if (cluster == tagged) {
      return this;
    }
    return withKeyPrefix(cluster ? "{" + keyPrefix + "}" : keyPrefix.substring(1, keyPrefix.length() - 1));
  }

  public QueueSettings withKeyPrefix(String keyPrefix) {
    return new QueueSettings(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, redisReplicas, partitions);
  }

  public QueueSettings withMaxDead(long maxDead) {
    return new QueueSettings(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, redisReplicas, partitions);
  }

  public QueueSettings withMaxBacklog(long maxBacklog) {
    return new QueueSettings(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, redisReplicas, partitions);
  }

  public QueueSettings withMaxDelay(Duration maxDelay) {
    return new QueueSettings(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, redisReplicas, partitions);
  }

  public QueueSettings withSubmitTimeout(Duration submitTimeout) {
    return new QueueSettings(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, redisReplicas, partitions);
  }

  public QueueSettings withPartitions(int partitions) {
    return new QueueSettings(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, redisReplicas, partitions);
  }

  public QueueSettings withRedisReplicas(int redisReplicas) {
    return new QueueSettings(keyPrefix, dedupWindow, recordTtl, submitTimeout, maxDead, maxBacklog, maxDelay, redisReplicas, partitions);
  }
}
