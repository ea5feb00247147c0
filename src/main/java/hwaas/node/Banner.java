package hwaas.node;

import hwaas.queue.StreamKeys;

import java.util.Locale;

/** The short block on standard error that says what a node started and where. */
final class Banner {
  private Banner() {
  }

  static String of(Node node) {
    NodeSettings c = node.settings();
    String redis = node.embeddedRedis()
        .map(r -> c.redis().redacted() + " (embedded, pid " + r.pid() + ", data " + c.redis().dataDir() + ", fsync " + c.redis().fsync()
            + (c.redis().server() != null ? ", server " + c.redis().server() : "") + ")")
        .orElse(c.redis().redacted() + (node.learnedRedis()
            ? " (the cluster's, learned on --join)" : " (external)"))
        + (c.queue().redisReplicas() > 0 ? ", submissions confirmed once " + c.queue().redisReplicas() + " replica(s) have them" : "")
        + (c.queue().partitions() > 1 ? ", jobs spread over " + c.queue().partitions() + " partitions" : "");
    return String.format(Locale.ROOT, String.join("%n",
            "hwaas node %s started in %.1f s (%s)",
            "  workers  %d (group \"%s\" on streams %s*)",
            "  clients  %d x %s/s, message \"%s\"",
            "  redis    %s",
            "  cluster  %s, %d member(s), this one at %s, event bus %s%s",
            "  http     http://%s:%d/  (REST API under /api, contract at /api/openapi.yaml)",
            "  token    %s",
            ""),
        node.nodeId(), node.startSeconds(), node.startPhases(),
        c.workers().count(), StreamKeys.GROUP, String.join("*, ", c.queue().partitionKeys().all().stream().map(StreamKeys::streamPrefix).toList()),
        c.clients().count(), rate(c.clients().rate()), c.clients().message(),
        redis,
        c.cluster().name(), node.clusterSize(), node.clusterAddress(), node.eventBusAddress(),
        c.cluster().keystore() != null ? " (TLS)" : "",
        c.http().host(), node.httpPort(),
        token(c, node.httpPort()));
  }

  /** A token the operator gave is never printed: they know it, and logs are read by others. */
  private static String token(NodeSettings c, int httpPort) {
    String dashboard = "http://" + c.http().host() + ":" + httpPort + "/#token=";
    return c.http().generatedToken()
        ? c.http().token() + "  (made up at start; Authorization: Bearer for the API; dashboard: " + dashboard + c.http().token() + ")"
        : "from HWAAS_TOKEN/HWAAS_TOKEN_FILE, not shown  (dashboard: " + dashboard + "<token>)";
  }

  private static String rate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
  }
}
