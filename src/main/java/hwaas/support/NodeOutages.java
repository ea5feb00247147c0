package hwaas.support;

import org.slf4j.LoggerFactory;

/** The outage logs a node's verticles share: one line per outage and node, however many verticles see it. */
public record NodeOutages(OutageLog clients, OutageLog workers, OutageLog jobs) {

  public static NodeOutages create() {
    return new NodeOutages(
        new OutageLog(LoggerFactory.getLogger("hwaas.client.ClientGroup"), "clients"),
        new OutageLog(LoggerFactory.getLogger("hwaas.worker.WorkerVerticle"), "workers"),
        new OutageLog(LoggerFactory.getLogger("hwaas.worker.JobRunner"), "jobs"));
  }
}
