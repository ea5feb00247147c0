package hwaas.schedule;

/** Event-bus addresses of the schedule feature. */
public final class ScheduleAddresses {
  /** Publish, cluster-wide, after a schedule was created, replaced, paused, resumed or deleted: every node reloads. */
  public static final String CHANGED = "hwaas.schedules.changed";

  private ScheduleAddresses() {
  }
}
