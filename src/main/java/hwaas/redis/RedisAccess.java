package hwaas.redis;

import hwaas.support.HostPorts.HostPort;
import hwaas.support.TcpProbe;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis a command works on, for the subcommands that read or change the service's data: the one given
 * (--redis or HWAAS_REDIS), else the one a node runs on the data directory, else the embedded Redis started on that
 * directory for the duration of the command. Closing it stops only what it started.
 */
public final class RedisAccess implements AutoCloseable {
  private final URI url;
  private final EmbeddedRedis started;

  private RedisAccess(URI url, EmbeddedRedis started) {
    this.url = url;
    this.started = started;
  }

  /** @param given a Redis URL, or {@code null} or blank for the data directory's */
  public static RedisAccess open(String given, Path dataDir) {
    if (given != null && !given.isBlank()) {
      return new RedisAccess(URI.create(given.trim()), null);
    }
    var running = EmbeddedRedis.runningIn(dataDir);
    if (running.isPresent()) {
      return new RedisAccess(running.get(), null);
    }
    EmbeddedRedis embedded = EmbeddedRedis.start(dataDir, "always");
    return new RedisAccess(embedded.url(), embedded);
  }

  public URI url() {
    return url;
  }

  /** Fails with a {@link RedisStartException} that says what to do when nothing answers at {@code url}. */
  public static void checkReachable(URI url) {
    if (SentinelAddress.isSentinel(url)) {
      // One sentinel answering is enough: it knows the primary, and the client tries them in turn.
      anyOf(SentinelAddress.parse(url).sentinels(), "Redis sentinel");
      return;
    }
    if (ClusterAddress.isCluster(url)) {
      // One node answering is enough: the client learns the others and the slots from it.
      anyOf(ClusterAddress.parse(url).nodes(), "Redis Cluster node");
      return;
    }
    TcpProbe.connect(url.getHost(), url.getPort(), 2000).ifPresent(e -> {
      throw new RedisStartException("cannot reach Redis at " + url.getHost() + ":" + url.getPort() + " (" + e.getMessage()
          + "). Check --redis or HWAAS_REDIS, or leave both unset to run the embedded Redis.");
    });
  }

  private static void anyOf(List<HostPort> addresses, String what) {
    List<String> failures = new ArrayList<>();
    for (HostPort address : addresses) {
      var failure = TcpProbe.connect(address.host(), address.port(), 2000);
      if (failure.isEmpty()) {
        return;
      }
      failures.add(address + " (" + failure.get().getMessage() + ")");
    }
    throw new RedisStartException("cannot reach any " + what + ": " + String.join(", ", failures)
        + ". Check --redis or HWAAS_REDIS, or leave both unset to run the embedded Redis.");
  }

  @Override
  public void close() {
    if (started != null) {
      started.close();
    }
  }
}
