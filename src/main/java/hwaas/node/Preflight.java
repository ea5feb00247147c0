package hwaas.node;


import hwaas.support.ConfigException;
import hwaas.http.HttpSettings;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks made before anything starts, so a bad port or address fails fast and leaves nothing running. */
final class Preflight {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Preflight.class);

  private Preflight() {
  }

  /**
   * The HTTP port this node will use: the one given (it must be free), any free one for 0, or, when none was
   * given, 8080 or the next free port after it (a second node on the same machine), said on stderr.
   */
  static HttpSettings chooseHttpPort(HttpSettings http) {
    return chooseHttpPort(http, HttpSettings.DEFAULT_PORT);
  }

  /** As {@link #chooseHttpPort(HttpSettings)}, an automatic port searched from {@code from} on. */
  static HttpSettings chooseHttpPort(HttpSettings http, int from) {
    String host = http.host();
    if (http.port() == HttpSettings.AUTO_PORT) {
      for (int port = from; port < HttpSettings.DEFAULT_PORT + 20; port++) {
        if (free(host, port) == null) {
          if (port != HttpSettings.DEFAULT_PORT) {
            log.info("HTTP port {} on {} is in use (another node?); this node uses {}", HttpSettings.DEFAULT_PORT, host, port);
          }
          return http.withPort(port);
        }
      }
      throw new ConfigException("HTTP ports " + HttpSettings.DEFAULT_PORT + " to " + (HttpSettings.DEFAULT_PORT + 19)
          + " on " + host + " are all in use: choose one with --http-port (0 for any free port)");
    }
    if (http.port() == 0) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(host, 0));
        return http.withPort(socket.getLocalPort());
      } catch (IOException e) {
        throw new ConfigException("--http-host " + host + " cannot be bound (" + e.getMessage() + ")");
      }
    }
    String problem = free(host, http.port());
    if (problem != null) {
      throw new ConfigException("--http-port " + http.port() + " on " + host + " cannot be used (" + problem
          + "); choose another, or 0 for any free port");
    }
    return http;
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
}
