package hwaas.queue;

/**
 * Flags of the Lua scripts that finish work Redis already holds: settling, marking running, dead-lettering, moving due
 * jobs, canceling and deleting.
 *
 * <p>At {@code maxmemory} (with {@code noeviction}) Redis refuses every command that may add memory. Refused too, the
 * workers could not finish the jobs already taken, and a service full of records would stall until they expire
 * (an hour by default), its workers' attempts burning meanwhile. So these scripts may run past the limit
 * ({@code allow-oom}, Redis 7), while the scripts that take new work (the enqueue, the schedules' fire, a requeue of
 * dead letters) are refused: new jobs wait until there is room, and the jobs held still finish. What they add is
 * bounded by the jobs held: a completed record grows by about 250 bytes.
 */
public final class ScriptFlags {
  /** The first line of a script that may run when Redis is at its memory limit. */
  public static final String ALLOW_OOM = "#!lua flags=allow-oom";

  private ScriptFlags() {
  }
}
