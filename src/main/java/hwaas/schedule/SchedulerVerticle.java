package hwaas.schedule;

import hwaas.queue.StreamKeys;
import hwaas.redis.RedisSettings;
import hwaas.support.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Fires the cluster's schedules. Every node runs one, with a timer per schedule set for its next tick; at the tick
 * each node calls the store's fire script and one of them wins, so a tick makes exactly one job however many nodes run
 * and whichever stop. Schedules are reloaded when one changes (a notice on the event bus) and every few seconds.
 * On loading a schedule whose latest tick up to now has not fired (every node was down), {@link Misfire} decides.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SchedulerVerticle.class);
  /** A changed schedule is picked up this soon even if its notice was lost. */
  private static final long RELOAD_MILLIS = 5_000;
  /** How far behind its ticks a running node may fall and still fire each of them. */
  private static final Duration LATE_LIMIT = Duration.ofSeconds(60);

  private final RedisSettings redisSettings;
  private final StreamKeys keys;
  private final Duration recordTtl;
  private final Misfire misfire;
  private final OutageLog outage = new OutageLog(log, "schedules");
  /** Per schedule name, what is armed: the definition text and the timer. */
  private final Map<String, Armed> armed = new HashMap<>();
  private Redis redis;
  private ScheduleStore store;

  private record Armed(String text, long timerId) {
  }

  public SchedulerVerticle(RedisSettings redisSettings, StreamKeys keys, Duration recordTtl, Misfire misfire) {
    this.redisSettings = redisSettings;
    this.keys = keys;
    this.recordTtl = recordTtl;
    this.misfire = misfire;
  }

  @Override
  public Future<?> start() {
    redis = redisSettings.client(vertx);
    store = new ScheduleStore(redis, keys, recordTtl);
    vertx.setPeriodic(RELOAD_MILLIS, t -> reload());
    return vertx.eventBus().consumer(ScheduleAddresses.CHANGED, m -> reload()).completion()
        .onSuccess(v -> reload());
  }

  @Override
  public Future<?> stop() {
    armed.values().forEach(a -> vertx.cancelTimer(a.timerId()));
    return redis.close();
  }

  private void reload() {
    store.all().onComplete(ar -> {
      if (ar.failed()) {
        outage.failure("reading the schedules from " + keys.schedules(), ar.cause());
        return;
      }
      outage.success();
      Map<String, ScheduleStore.Stored> stored = ar.result();
      armed.entrySet().removeIf(e -> {
        ScheduleStore.Stored now = stored.get(e.getKey());
        boolean stale = now == null || !now.text().equals(e.getValue().text());
        if (stale) {
          vertx.cancelTimer(e.getValue().timerId());
        }
        return stale;
      });
      stored.forEach((name, s) -> {
        if (!armed.containsKey(name) && !s.schedule().paused()) {
          catchUp(s);
          arm(s);
        }
      });
    });
  }

  /** A tick missed while no node ran: one job for the latest (once), or its tick noted as done (skip). */
  private void catchUp(ScheduleStore.Stored s) {
    s.schedule().ticks().latest(Instant.now())
        .filter(latest -> latest.toEpochMilli() > s.lastTick())
        .ifPresent(latest -> fire(s, latest, misfire == Misfire.ONCE ? "fire" : "skip"));
  }

  private void arm(ScheduleStore.Stored s) {
    arm(s, Instant.now());
  }

  /**
   * Arms the tick after {@code from}. After a tick fires, the next is the one after it, not after now: a timer late by
   * more than a tick (a busy machine, a long pause of the JVM) fires the ticks it passed, each once, rather than skip
   * them. Ticks more than {@link #LATE_LIMIT} behind are left to the misfire policy, as if no node had run.
   */
  private void arm(ScheduleStore.Stored s, Instant from) {
    Instant now = Instant.now();
    s.schedule().ticks().next(from).ifPresent(tick -> {
      if (Duration.between(tick, now).compareTo(LATE_LIMIT) > 0) {
        catchUp(s);
        arm(s, now);
        return;
      }
      long delay = Math.max(1, Duration.between(now, tick).toMillis());
      long timer = vertx.setTimer(delay, t -> {
        // A definition changed meanwhile answers CHANGED and fires nothing; the next reload re-arms the new one.
        fire(s, tick, "fire");
        arm(s, tick);
      });
      armed.put(s.schedule().name(), new Armed(s.text(), timer));
    });
  }

  private void fire(ScheduleStore.Stored s, Instant tick, String mode) {
    store.fire(s, tick, mode).onComplete(ar -> {
      if (ar.failed()) {
        outage.failure("firing schedule " + s.schedule().name() + " at " + tick, ar.cause());
      } else {
        outage.success();
        if (ar.result() == ScheduleStore.Fired.FIRED) {
          log.debug("schedule {} fired its tick {}", s.schedule().name(), tick);
        }
      }
    });
  }
}
