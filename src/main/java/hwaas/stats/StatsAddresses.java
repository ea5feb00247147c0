package hwaas.stats;

/** Event-bus addresses of the stats feature (the browser may listen to these through the bridge). */
public final class StatsAddresses {
  /** Publish, once a second per node: that node's {@link StatsVerticle} snapshot. */
  public static final String STATS = "hwaas.stats";
  /**
   * Publish, local to each node: for a job submitted over the API, {"id", "status", "attempts", "result" | "error"} at
   * each change, relayed from {@link #JOB_EVENTS} by every node to the listeners it has (a waiting request, a browser).
   */
  public static final String JOB_PREFIX = "hwaas.jobs.";
  /**
   * Publish, cluster-wide: a JSON array of the job changes a worker lane announced in one event-loop turn. Each node
   * relays them to {@link #JOB_PREFIX}{@code <id>} locally, so no change costs a lookup in the cluster's registry.
   */
  public static final String JOB_EVENTS = "hwaas.jobs.events";

  private StatsAddresses() {
  }

  public static String job(String jobId) {
    return JOB_PREFIX + jobId;
  }
}
