package hwaas.node;

import hwaas.cluster.TcpProbe;
import hwaas.config.ConfigException;
import hwaas.config.HwaasConfig;

import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks made before anything starts, so a bad port or address fails fast and leaves nothing running. */
final class Preflight {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Preflight.class);

  private Preflight() {
  }

  /**
   * The HTTP port this node will use: the one given (it must be free), any free one for 0, or, when none was
   * given, 8080 or the next free port after it (a second node on the same machine), said on stderr.
   */
  static HwaasConfig chooseHttpPort(HwaasConfig config) {
    return chooseHttpPort(config, HwaasConfig.DEFAULT_HTTP_PORT);
  }

  /** As {@link #chooseHttpPort(HwaasConfig)}, an automatic port searched from {@code from} on. */
  static HwaasConfig chooseHttpPort(HwaasConfig config, int from) {
    String host = config.httpHost();
    if (config.httpPort() == HwaasConfig.AUTO_PORT) {
      for (int port = from; port < HwaasConfig.DEFAULT_HTTP_PORT + 20; port++) {
        if (free(host, port) == null) {
          if (port != HwaasConfig.DEFAULT_HTTP_PORT) {
            log.info("HTTP port {} on {} is in use (another node?); this node uses {}", HwaasConfig.DEFAULT_HTTP_PORT, host, port);
          }
          return config.withHttpPort(port);
        }
      }
      throw new ConfigException("HTTP ports " + HwaasConfig.DEFAULT_HTTP_PORT + " to " + (HwaasConfig.DEFAULT_HTTP_PORT + 19)
          + " on " + host + " are all in use: choose one with --http-port (0 for any free port)");
    }
    if (config.httpPort() == 0) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(host, 0));
        return config.withHttpPort(socket.getLocalPort());
      } catch (IOException e) {
        throw new ConfigException("--http-host " + host + " cannot be bound (" + e.getMessage() + ")");
      }
    }
    String problem = free(host, config.httpPort());
    if (problem != null) {
      throw new ConfigException("--http-port " + config.httpPort() + " on " + host + " cannot be used (" + problem
          + "); choose another, or 0 for any free port");
    }
    return config;
  }

  /** {@code null} if the port can be bound, else why not. */
  private static String free(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
      return null;
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  /** An --audit file that cannot be appended to is bad input: said before anything starts. */
  static void checkAuditWritable(HwaasConfig config) {
    config.auditFile().ifPresent(file -> {
      for (Path path : List.of(file, hwaas.worker.AuditTrail.submittedFile(file))) {
        try {
          Path parent = path.toAbsolutePath().getParent();
          if (parent != null) {
            Files.createDirectories(parent);
          }
          new FileOutputStream(path.toFile(), true).close();
        } catch (IOException e) {
          throw new ConfigException("--audit " + file + " cannot be opened for appending (" + e.getMessage() + ")");
        }
      }
    });
  }

  static void checkRedisReachable(URI url) {
    TcpProbe.connect(url.getHost(), url.getPort(), 2000).ifPresent(e -> {
      throw new RedisStartException("cannot reach Redis at " + url.getHost() + ":" + url.getPort() + " (" + e.getMessage()
          + "). Check --redis or HWAAS_REDIS, or leave both unset to run the embedded Redis.");
    });
  }
}
