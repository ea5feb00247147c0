package hwaas.stats;

/** Event-bus addresses of the stats feature (the browser may listen to these through the bridge). */
public final class StatsAddresses {
  /** Publish, once a second per node: that node's {@link StatsVerticle} snapshot. */
  public static final String STATS = "hwaas.stats";
  /** Publish, for jobs submitted over the API: {"id", "status", "attempts", "result" | "error"} at each change. */
  public static final String JOB_PREFIX = "hwaas.jobs.";

  private StatsAddresses() {
  }

  public static String job(String jobId) {
    return JOB_PREFIX + jobId;
  }
}
