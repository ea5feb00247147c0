package hwaas.client;

import hwaas.config.HwaasConfig;
import hwaas.node.NodeOutages;
import hwaas.node.OutageLog;
import hwaas.queue.Job;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueFailure;
import hwaas.stats.NodeCounters;
import hwaas.worker.AuditTrail;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One paying customer: submits a print job {@code rate} times a second on a periodic timer. A job counts
 * as submitted only when the queue replies with its stream entry id; until then it is retried with the
 * same id, which the queue recognises, so a retry never makes a second entry.
 */
public final class ClientVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ClientVerticle.class);
  /**
   * Past this many unconfirmed jobs, the client waits instead of piling up more: a client flat out would
   * otherwise queue more submissions than the queue can answer within the submit timeout, and every
   * timeout is a retry that makes the backlog worse.
   */
  private static final int MAX_IN_FLIGHT = 1_000;
  private static final long MAX_BACKOFF_MS = 2_000;
  private static final long STOP_GRACE_MS = 2_000;
  /** A tick never sends more than this, so one event-loop turn stays short even at very high rates. */
  private static final int MAX_PER_TICK = 500;
  /** Timers fire a millisecond early or late: a job due within this much is sent now, not a whole period later. */
  private static final double TIMER_JITTER_SECONDS = 0.005;

  private final HwaasConfig config;
  private final String clientId;
  private final NodeCounters counters;
  private final AuditTrail submittedAudit;
  private final OutageLog outage;
  private final DeliveryOptions local;
  private final DeliveryOptions anyNode;
  private long nextSeq;
  private double credit = 1;      // jobs owed; the first tick sends one at once
  private long lastTick;
  private long timerId = -1;
  private int inFlight;
  private boolean stopping;
  private long giveUpAt;
  private int gaveUp;

  public ClientVerticle(HwaasConfig config, String clientId, NodeCounters counters, AuditTrail submittedAudit,
                        NodeOutages outages) {
    this.config = config;
    this.clientId = clientId;
    this.counters = counters;
    this.submittedAudit = submittedAudit;
    this.outage = outages.clients();
    // Every node runs a queue verticle, so a first attempt needs no cluster hop; a retry may go to any node's.
    this.local = new DeliveryOptions().setSendTimeout(config.submitTimeout().toMillis()).setLocalOnly(true);
    this.anyNode = new DeliveryOptions().setSendTimeout(config.submitTimeout().toMillis());
  }

  @Override
  public Future<?> start() {
    long period = Math.max(1, Math.round(1000 / config.rate()));
    // The first job goes at once; later ones on a timer whose phase is random, so a thousand clients
    // do not all fire in the same millisecond.
    long firstDelay = 1 + ThreadLocalRandom.current().nextLong(period);
    lastTick = System.currentTimeMillis();
    tick();
    // As if the last tick was one period before the first timer tick, so that one sends the second job.
    lastTick = System.currentTimeMillis() + firstDelay - period;
    timerId = vertx.setPeriodic(firstDelay, period, id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timerId);
    giveUpAt = System.currentTimeMillis() + Math.min(STOP_GRACE_MS, config.submitTimeout().toMillis());
    return awaitConfirmations();
  }

  private void tick() {
    long now = System.currentTimeMillis();
    credit = Math.min(credit + config.rate() * (now - lastTick) / 1000.0, config.rate() + 1);
    lastTick = now;
    if (inFlight >= MAX_IN_FLIGHT) {
      credit = 0; // no catch-up burst after an outage: jobs not yet created are not owed
      return;
    }
    int due = (int) Math.min(credit + config.rate() * TIMER_JITTER_SECONDS, Math.min(MAX_PER_TICK, MAX_IN_FLIGHT - inFlight));
    credit -= due;
    for (int i = 0; i < due; i++) {
      inFlight++;
      submit(Job.print(clientId, nextSeq++, now, config.message()), 0);
    }
  }

  private void submit(Job job, int attempt) {
    JsonObject body = job.toJson();
    vertx.eventBus().<JsonObject>request(QueueAddresses.SUBMIT, body, attempt == 0 ? local : anyNode)
        .onSuccess(reply -> {
          inFlight--;
          outage.success();
          counters.submitted.increment();
          submittedAudit.record(job.id());
        })
        .onFailure(err -> retryOrGiveUp(job, attempt, err));
  }

  private void retryOrGiveUp(Job job, int attempt, Throwable err) {
    if (err instanceof ReplyException re && re.failureCode() == QueueFailure.BAD_JOB.code) {
      inFlight--;
      counters.unconfirmed.increment();
      log.error("client {}: queue rejected job {}: {}", clientId, job.id(), re.getMessage());
      return;
    }
    if (stopping && System.currentTimeMillis() >= giveUpAt) {
      inFlight--;
      counters.unconfirmed.increment();
      if (gaveUp++ == 0) {
        log.warn("client {}: job {} (and any after it) not confirmed before shutdown ({}); such a job may or may not "
            + "be in the stream, and counts as failed in the summary", clientId, job.id(), err.getMessage());
      }
      return;
    }
    outage.failure("submission of " + job.id() + " by " + clientId, err);
    counters.retried.increment();
    long backoff = Math.min(MAX_BACKOFF_MS, 50L << Math.min(attempt, 10));
    vertx.setTimer(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1),
        t -> submit(job, attempt + 1));
  }

  private Future<Void> awaitConfirmations() {
    if (inFlight == 0) {
      return Future.succeededFuture();
    }
    if (System.currentTimeMillis() >= giveUpAt + 100) {
      // Retries still waiting on a timer die with the verticle: count them as never confirmed.
      counters.unconfirmed.add(inFlight);
      inFlight = 0;
      return Future.succeededFuture();
    }
    return vertx.timer(10).compose(t -> awaitConfirmations());
  }
}
