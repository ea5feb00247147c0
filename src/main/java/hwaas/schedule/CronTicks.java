package hwaas.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * The ticks of a cron expression as Spring writes it (six fields, seconds first), parsed by cron-utils; five fields
 * (no seconds) mean second 0, as Unix cron has it: {@code * * * * * *} every second, {@code 0 * * * *} hourly.
 */
final class CronTicks {
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));

  private final ExecutionTime times;
  private final ZoneId zone;

  private CronTicks(ExecutionTime times, ZoneId zone) {
    this.times = times;
    this.zone = zone;
  }

  /** @throws IllegalArgumentException naming what is wrong with the expression */
  static CronTicks parse(String cron, ZoneId zone) {
    String text = cron == null ? "" : cron.trim();
    String[] fields = text.split("\\s+");
    if (fields.length == 5) {
      text = "0 " + text;
    } else if (fields.length != 6) {
      throw new IllegalArgumentException("cron '" + cron + "' must have 5 fields (minute hour day month weekday) or 6 (seconds first)");
    }
    try {
      return new CronTicks(ExecutionTime.forCron(PARSER.parse(text)), zone);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cron '" + cron + "': " + e.getMessage(), e);
    }
  }

  /** The first tick strictly after {@code after}, if the expression ever fires again. */
  Optional<Instant> next(Instant after) {
    // cron-utils keeps the fraction of a second it is given; ticks fall on whole seconds.
    return times.nextExecution(ZonedDateTime.ofInstant(after, zone).withNano(0)).map(t -> t.withNano(0).toInstant());
  }

  /** The latest tick at or before {@code atOrBefore}. */
  Optional<Instant> latest(Instant atOrBefore) {
    // cron-utils answers the last tick strictly before a time; ticks fall on whole seconds.
    ZonedDateTime justAfter = ZonedDateTime.ofInstant(atOrBefore, zone).withNano(0).plusSeconds(1);
    return times.lastExecution(justAfter).map(t -> t.withNano(0).toInstant());
  }
}
