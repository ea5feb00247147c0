package hwaas.queue;

import java.time.Duration;
import java.util.List;

/**
 * The records of API jobs on every partition ({@link Partitions}): a job's record, indexes and chain live in the
 * partition its id names, so each request about one job is built with that partition's keys.
 */
public final class PartitionedRecords {
  private final Partitions partitions;
  private final List<JobRecords> records;

  public PartitionedRecords(Partitions partitions, Duration ttl) {
    this.partitions = partitions;
    this.records = partitions.all().stream().map(keys -> new JobRecords(keys, ttl)).toList();
  }

  /** The records of the partition {@code jobId} names. */
  public JobRecords of(String jobId) {
    return records.get(partitions.ofJob(jobId));
  }

  public JobRecords get(int partition) {
    return records.get(partition);
  }

  public Partitions partitions() {
    return partitions;
  }
}
