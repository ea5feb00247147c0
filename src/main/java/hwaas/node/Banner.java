package hwaas.node;

import hwaas.config.HwaasConfig;
import hwaas.queue.StreamKeys;

import java.util.Locale;

/** The short block on standard error that says what a node started and where. */
final class Banner {
  private Banner() {
  }

  static String of(Node node) {
    HwaasConfig c = node.config();
    String redis = node.embeddedRedis()
        .map(r -> c.redisUrl() + " (embedded, pid " + r.pid() + ", data " + c.dataDir() + ", fsync " + c.fsync() + ")")
        .orElse(c.redisUrl() + (node.learnedRedis()
            ? " (the cluster's, learned on --join)" : " (external)"));
    return String.format(Locale.ROOT, String.join("%n",
            "hwaas node %s started in %.1f s (%s)",
            "  workers  %d (group \"%s\" on streams %s*)",
            "  clients  %d x %s/s, message \"%s\"",
            "  redis    %s",
            "  cluster  %s, %d member(s), this one at %s, event bus %s%s",
            "  http     http://%s:%d/  (REST API under /api, contract at /api/openapi.yaml)",
            "  token    %s  (Authorization: Bearer for every write; dashboard: http://%s:%d/#token=%s)",
            ""),
        node.nodeId(), node.startSeconds(), node.startPhases(),
        c.workers(), StreamKeys.GROUP, new StreamKeys(c.keyPrefix()).streamPrefix(),
        c.clients(), rate(c.rate()), c.message(),
        redis,
        c.clusterName(), node.clusterSize(), node.clusterAddress(), node.eventBusAddress(),
        c.clusterKeystore() != null ? " (TLS)" : "",
        c.httpHost(), node.httpPort(),
        c.token(), c.httpHost(), node.httpPort(), c.token());
  }

  private static String rate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }
}
