package hwaas.support;

import org.slf4j.LoggerFactory;

/**
 * The outage logs a node's verticles share: one line per outage and node, however many verticles see it.
 *
 * @param backlog the clients waiting on a full backlog (--max-backlog): said once when it starts and once when it ends
 */
public record NodeOutages(OutageLog clients, OutageLog workers, OutageLog jobs, OutageLog backlog) {

  public static NodeOutages create() {
    return new NodeOutages(
        new OutageLog(LoggerFactory.getLogger("hwaas.client.ClientGroup"), "clients"),
        new OutageLog(LoggerFactory.getLogger("hwaas.worker.WorkerVerticle"), "workers"),
        new OutageLog(LoggerFactory.getLogger("hwaas.worker.JobRunner"), "jobs"),
        new OutageLog(LoggerFactory.getLogger("hwaas.client.ClientGroup"), "clients waiting on the backlog"));
  }
}
