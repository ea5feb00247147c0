package hwaas.queue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The keyspaces a service's jobs are spread over on a Redis Cluster (docs/redis-cluster.md). Partition 0, the home,
 * has the service's own keys as on one Redis ({@code {hwaas}:…}): its identity, schedules, declared and paused types,
 * and the jobs that stay with them (external workers', schedules'). Every partition, the home too, has streams with
 * their consumer group, retry notes, counters and dead letters, and API jobs with their records, indexes, delayed
 * jobs, chains and cached results, each job in the partition its id names ({@link #jobId}). Each script and pipeline
 * still touches one partition, so one slot.
 *
 * <p>Partition k's tag is chosen to hash into the k-th of {@code count} equal ranges of the 16,384 slots (the home
 * keeps its tag and its range), so that on a cluster whose primaries hold equal ranges, as the usual tools make them,
 * {@code count} partitions of {@code count} primaries put one partition on each primary. The names depend only on the
 * prefix and the count: every node, and every restart, finds the same ones.
 */
public final class Partitions {
  /** Hash slots of a Redis Cluster. */
  static final int SLOTS = 16_384;
  /** The most partitions a service may have. */
  public static final int MAX = 64;

  private static final String JOB_ID_START = "api-";
  private static final String PARTITIONED_ID_START = "api-p";

  private final List<StreamKeys> keys;

  private Partitions(List<StreamKeys> keys) {
    this.keys = List.copyOf(keys);
  }

  /** One partition, named by {@code prefix}: a single Redis, Sentinel, or a cluster service that is not spread. */
  public static Partitions single(String prefix) {
    return new Partitions(List.of(new StreamKeys(prefix)));
  }

  /**
   * {@code count} partitions of a service whose home prefix is a hash tag ({@code {hwaas}}); {@code count} 1 is the
   * home alone.
   */
  public static Partitions spread(String homePrefix, int count) {
    if (count < 1 || count > MAX) {
      throw new IllegalArgumentException("partitions must be between 1 and " + MAX + ", got " + count);
    }
    if (count > 1 && !(homePrefix.startsWith("{") && homePrefix.endsWith("}"))) {
      throw new IllegalArgumentException("partitions need a hash-tagged prefix ({name}), got " + homePrefix);
    }
    List<StreamKeys> keys = new ArrayList<>(List.of(new StreamKeys(homePrefix)));
    if (count > 1) {
      String name = homePrefix.substring(1, homePrefix.length() - 1);
      int homeRange = range(slot(name), count);
      int partition = 1;
      for (int r = 0; r < count; r++) {
        if (r != homeRange) {
          keys.add(new StreamKeys("{" + tagInRange(name + ":p" + partition, r, count) + "}"));
          partition++;
        }
      }
    }
    return new Partitions(keys);
  }

  public int count() {
    return keys.size();
  }

  /** Partition 0: the service's own keys, and the streams of every job with a record. */
  public StreamKeys home() {
    return keys.get(0);
  }

  public StreamKeys get(int partition) {
    return keys.get(partition);
  }

  public List<StreamKeys> all() {
    return keys;
  }

  /** Each partition's share of a limit that holds for the whole service, rounded up. */
  public long share(long serviceLimit) {
    return (serviceLimit + keys.size() - 1) / keys.size();
  }

  /** The hash slot of a partition's tag: where a Redis Cluster keeps it. */
  public int slotOf(int partition) {
    String prefix = keys.get(partition).prefix();
    return slot(prefix.startsWith("{") ? prefix.substring(1, prefix.length() - 1) : prefix);
  }

  /**
   * The partition named by a key: a client batch's key, an API job's Idempotency-Key (with its client), a cacheable
   * payload's digest. A resend (same key) lands where the first one did, so the key's idempotency holds, and a cached
   * result is found where it was written; random keys spread evenly.
   */
  public int ofKey(String key) {
    return Math.floorMod(key.hashCode(), keys.size());
  }

  /**
   * An API job's id in {@code partition}: {@code api-<hex>} in the home (so on one Redis, and the ids of a service
   * before its API jobs were spread), {@code api-pNN-<hex>} in partition NN (two digits: ids of different partitions
   * then differ first where both have a letter or a digit, so they order the same bytewise, as Java merges listings,
   * and in any collation, as the console's Lua compares them). The id names where the job's record, chain and indexes
   * live, so a read by id goes straight to them; a chain's steps ({@code <id>.1}) share it.
   *
   * @param unique the id's own part, as {@code hwaas.jobs.Job#derivedId} or a counter makes it: {@code api-<hex>}
   */
  public static String jobId(int partition, String unique) {
    if (partition == 0) {
      return unique;
    }
    return PARTITIONED_ID_START + (partition < 10 ? "0" : "") + partition + "-" + unique.substring(JOB_ID_START.length());
  }

  /**
   * The partition an API job's id names ({@link #jobId}); the home for any other id, or one naming a partition this
   * service does not have (its record is then not found: no job has that id).
   */
  public int ofJob(String jobId) {
    int start = PARTITIONED_ID_START.length();
    if (!jobId.startsWith(PARTITIONED_ID_START) || jobId.length() <= start + 2 || jobId.charAt(start + 2) != '-') {
      return 0;
    }
    char tens = jobId.charAt(start);
    char ones = jobId.charAt(start + 1);
    if (tens < '0' || tens > '9' || ones < '0' || ones > '9') {
      return 0;
    }
    int partition = (tens - '0') * 10 + (ones - '0');
    return partition < keys.size() ? partition : 0;
  }

  /** The keys of the partition an API job's id names. */
  public StreamKeys ofJobKeys(String jobId) {
    return keys.get(ofJob(jobId));
  }


  /** The Redis Cluster hash slot of a hash tag (CRC16/XMODEM of its bytes, modulo 16,384), as {@code CLUSTER KEYSLOT}. */
  static int slot(String tag) {
    int crc = 0;
    for (byte b : tag.getBytes(StandardCharsets.UTF_8)) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xffff;
    }
    return crc % SLOTS;
  }

  /** Which of {@code count} equal ranges a slot is in, the ranges cut where such tools cut them ({@code i * 16384 / count}). */
  private static int range(int slot, int count) {
    int r = count - 1;
    while (slot < r * SLOTS / count) {
      r--;
    }
    return r;
  }

  /** {@code base} with the first suffix {@code .n} (n = 0, 1, …) whose slot lies in range {@code r} of {@code count}. */
  private static String tagInRange(String base, int r, int count) {
    for (int n = 0; ; n++) {
      String tag = base + "." + n;
      if (range(slot(tag), count) == r) {
        return tag;
      }
    }
  }
}
