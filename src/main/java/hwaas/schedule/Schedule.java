package hwaas.schedule;

import io.vertx.core.json.JsonObject;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.regex.Pattern;

/**
 * A recurring schedule: at each tick of {@code cron} (in {@code timezone}) one job like {@code job} runs, once across
 * the whole cluster. Stored in Redis as the JSON of {@link #toJson()}; a node fires only a definition that is still
 * the stored one, so an edit or a delete is never raced by a stale timer.
 *
 * @param job {type, payload, client}, checked against the job contract where it is created
 */
public record Schedule(String name, String cron, ZoneId timezone, JsonObject job, boolean paused) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** @throws IllegalArgumentException naming what is wrong */
  public Schedule {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a schedule name is 1 to 64 letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    CronTicks.parse(cron, timezone);
    if (job == null || !(job.getValue("type") instanceof String) || !(job.getValue("client") instanceof String)
        || !(job.getValue("payload") instanceof JsonObject)) {
      throw new IllegalArgumentException("a schedule's job needs type, payload and client");
    }
  }

  /** @throws IllegalArgumentException naming the field that is wrong */
  public static Schedule fromJson(JsonObject json) {
    String zone = json.getString("timezone", "UTC");
    ZoneId timezone;
    try {
      timezone = ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("timezone '" + zone + "' is not a time zone (e.g. UTC, Europe/Paris)", e);
    }
    return new Schedule(json.getString("name"), json.getString("cron"), timezone, json.getJsonObject("job"),
        json.getBoolean("paused", false));
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("cron", cron).put("timezone", timezone.getId()).put("job", job.copy())
        .put("paused", paused);
  }

  public Schedule withPaused(boolean paused) {
    return new Schedule(name, cron, timezone, job, paused);
  }

  /** The first tick after {@code after}, if any. */
  public java.util.Optional<java.time.Instant> nextTick(java.time.Instant after) {
    return ticks().next(after);
  }

  CronTicks ticks() {
    return CronTicks.parse(cron, timezone);
  }
}
