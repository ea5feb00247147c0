package hwaas.client;

import hwaas.support.NodeOutages;
import hwaas.support.OutageLog;
import hwaas.jobs.Job;
import hwaas.jobs.JobBatch;
import hwaas.queue.QueueAddresses;
import hwaas.queue.QueueFailure;
import hwaas.queue.QueueSettings;
import hwaas.stats.NodeCounters;
import hwaas.support.AuditTrail;
import hwaas.support.Backoff;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients {@code first .. first+count-1} of a node, on one event loop. A client is a number, not a verticle, so a
 * hundred thousand of them cost nothing but their jobs. Each sends {@code rate} print jobs a second, the
 * group's jobs evenly spread: job k of the group (from 0) is due {@code k / (count * rate)} seconds after
 * the start and is job number {@code k / count} of client {@code first + k % count}. The first is sent at
 * once.
 *
 * <p>Each tick sends every job that has come due as one batch, one event-bus request. Its jobs count as
 * submitted only when the queue replies with their stream entry id; until then the batch is resent with the
 * same key, which the queue recognises, so a resend never makes a second entry.
 */
public final class ClientGroup extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ClientGroup.class);
  /**
   * Past this many unconfirmed jobs the group waits instead of piling up more: flat out, it would otherwise
   * queue more than the queue can answer within the submit timeout, and every timeout is a resend that makes
   * the backlog worse. Jobs not created meanwhile are not owed: there is no catch-up burst.
   */
  static final int MAX_IN_FLIGHT = 5_000;
  private static final int MAX_PER_TICK = JobBatch.MAX_JOBS;
  /** At high rates a tick waits for this many jobs, at most {@link #MAX_TICK_MILLIS}: fewer, larger batches. */
  private static final double JOBS_PER_TICK = 100;
  private static final long MAX_TICK_MILLIS = 5;
  private static final long STOP_GRACE_MS = 2_000;

  private final long submitTimeoutMillis;
  private final String groupId;
  private final String clientPrefix;
  private final int first;
  private final int count;
  private final double jobsPerMilli;
  private final JsonObject payload;
  private final long minTickMillis;
  private final NodeCounters counters;
  private final AuditTrail submittedAudit;
  private final OutageLog outage;
  private final OutageLog backlog;
  private final DeliveryOptions local;
  private final DeliveryOptions anyNode;
  private double origin;     // epoch ms at which job 0 was due; moved on when jobs are not owed
  private long nextJob;      // k of the next job to send
  private long timerId = -1;
  private int inFlight;
  private boolean stopping;
  private long giveUpAt;
  private int gaveUp;
  /** Completed once every job sent has its answer, or has been given up, when stopping. */
  private final Promise<Void> confirmed = Promise.promise();

  /**
   * @param clientPrefix clients are named {@code <clientPrefix><number>}, their jobs {@code <client>:<seq>}
   * @param first        the number of the group's first client
   */
  public ClientGroup(ClientSettings settings, QueueSettings queue, String groupId, String clientPrefix, int first, int count,
                     NodeCounters counters, AuditTrail submittedAudit, NodeOutages outages) {
    if (count < 1) {
      throw new IllegalArgumentException("a client group needs at least one client, got " + count);
    }
    this.submitTimeoutMillis = queue.submitTimeout().toMillis();
    this.groupId = groupId;
    this.clientPrefix = clientPrefix;
    this.first = first;
    this.count = count;
    this.jobsPerMilli = count * settings.rate() / 1000.0;
    this.payload = new JsonObject().put("message", settings.message());
    this.minTickMillis = Math.max(1, Math.min(MAX_TICK_MILLIS, (long) Math.ceil(JOBS_PER_TICK / jobsPerMilli)));
    this.counters = counters;
    this.submittedAudit = submittedAudit;
    this.outage = outages.clients();
    this.backlog = outages.backlog();
    // Every node runs a queue verticle, so a first attempt needs no cluster hop; a resend may go to any node's.
    this.local = new DeliveryOptions().setSendTimeout(submitTimeoutMillis).setLocalOnly(true);
    this.anyNode = new DeliveryOptions().setSendTimeout(submitTimeoutMillis);
  }

  /**
   * Deploys a node's clients as one group per event loop, named {@code <nodeId>-c0 .. <nodeId>-c<clients-1>}.
   */
  public static Future<String> deploy(Vertx vertx, ClientSettings settings, QueueSettings queue, String nodeId,
                                      NodeCounters counters, AuditTrail submittedAudit, NodeOutages outages) {
    List<Integer> sizes = sizes(settings.count(), VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
    AtomicInteger group = new AtomicInteger();
    AtomicInteger firstClient = new AtomicInteger();
    return vertx.deployVerticle(() -> {
      int g = group.getAndIncrement();
      return new ClientGroup(settings, queue, nodeId + "-g" + g, nodeId + "-c", firstClient.getAndAdd(sizes.get(g)), sizes.get(g),
          counters, submittedAudit, outages);
    }, new DeploymentOptions().setInstances(sizes.size()));
  }

  /** Splits {@code clients} into at most {@code groups} groups whose sizes differ by one at most. */
  static List<Integer> sizes(int clients, int groups) {
    int n = Math.max(1, Math.min(clients, groups));
    List<Integer> sizes = new ArrayList<>(n);
    for (int g = 0; g < n; g++) {
      sizes.add(clients / n + (g < clients % n ? 1 : 0));
    }
    return sizes;
  }

  @Override
  public Future<?> start() {
    origin = System.currentTimeMillis();
    tick();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timerId);
    long grace = Math.min(STOP_GRACE_MS, submitTimeoutMillis);
    giveUpAt = System.currentTimeMillis() + grace;
    if (inFlight == 0) {
      confirmed.complete();
    }
    // Resends still waiting on a timer die with the verticle: past the grace, they count as never confirmed.
    long deadline = vertx.setTimer(grace + 100, t -> {
      counters.unconfirmed.add(inFlight);
      inFlight = 0;
      confirmed.tryComplete();
    });
    return confirmed.future().onComplete(ar -> vertx.cancelTimer(deadline));
  }

  private void tick() {
    long now = System.currentTimeMillis();
    long due = (long) Math.floor((now - origin) * jobsPerMilli) + 1 - nextJob;
    int sending = (int) Math.max(0, Math.min(due, Math.min(MAX_PER_TICK, MAX_IN_FLIGHT - inFlight)));
    if (sending > 0) {
      send(now, sending);
    }
    if (due > sending) {
      // Held back by the caps: what was not sent is not owed.
      origin = now - nextJob / jobsPerMilli;
    }
    double nextDue = origin + nextJob / jobsPerMilli;
    long delay = Math.max(minTickMillis, (long) Math.ceil(nextDue - System.currentTimeMillis()));
    timerId = vertx.setTimer(delay, t -> tick());
  }

  private void send(long now, int jobs) {
    List<String> ids = new ArrayList<>(jobs);
    for (long k = nextJob; k < nextJob + jobs; k++) {
      ids.add(Job.id(clientPrefix + (first + k % count), k / count));
    }
    JobBatch batch = new JobBatch(groupId + ":" + nextJob, Job.PRINT, now, payload, false, ids);
    nextJob += jobs;
    inFlight += jobs;
    submit(batch, batch.toJson().encode(), 0);
  }

  private void submit(JobBatch batch, String json, int attempt) {
    vertx.eventBus().request(QueueAddresses.SUBMIT, json, attempt == 0 ? local : anyNode)
        .onSuccess(reply -> {
          answered(batch);
          outage.success();
          backlog.success();
          counters.submitted.add(batch.size());
          submittedAudit.recordAll(batch.ids())
              .onFailure(err -> outage.failure("audit of " + batch.size() + " confirmed submissions (batch " + batch.key() + ")", err));
        })
        .onFailure(err -> retryOrGiveUp(batch, json, attempt, err));
  }

  private void retryOrGiveUp(JobBatch batch, String json, int attempt, Throwable err) {
    if (err instanceof ReplyException re && re.failureCode() == QueueFailure.BAD_JOB.code) {
      answered(batch);
      counters.unconfirmed.add(batch.size());
      log.error("client group {}: queue rejected batch {}: {}", groupId, batch.key(), re.getMessage());
      return;
    }
    if (stopping && System.currentTimeMillis() >= giveUpAt) {
      answered(batch);
      counters.unconfirmed.add(batch.size());
      if (gaveUp++ == 0) {
        log.warn("client group {}: batch {} of {} jobs (and any after it) not confirmed before shutdown ({}); such jobs "
            + "may or may not be in the stream, and count as failed in the summary", groupId, batch.key(), batch.size(),
            err.getMessage());
      }
      return;
    }
    if (err instanceof ReplyException re && re.failureCode() == QueueFailure.BACKLOG.code) {
      // Nothing was added: the same batch goes again after a pause, and meanwhile no new jobs pile up (MAX_IN_FLIGHT).
      backlog.failure("the queue's backlog is at --max-backlog, so clients wait and resend, dropping nothing; batch "
          + batch.key(), err);
    } else if (err instanceof ReplyException re && re.failureCode() == QueueFailure.FULL.code) {
      backlog.failure("Redis is at its memory limit (--redis-maxmemory), so clients wait and resend, dropping nothing; "
          + "batch " + batch.key(), err);
    } else {
      outage.failure("submission of batch " + batch.key() + " (" + batch.size() + " jobs)", err);
    }
    counters.retried.add(batch.size());
    vertx.setTimer(Backoff.RECONNECT.jitteredMillis(attempt + 1), t -> submit(batch, json, attempt + 1));
  }

  /** The batch has its answer (or was given up): it no longer counts as in flight. */
  private void answered(JobBatch batch) {
    inFlight -= batch.size();
    if (stopping && inFlight <= 0) {
      confirmed.tryComplete();
    }
  }
}
