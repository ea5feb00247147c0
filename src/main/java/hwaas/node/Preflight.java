package hwaas.node;

import hwaas.config.ConfigException;
import hwaas.config.HwaasConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;

/** Checks made before anything starts, so a bad port or address fails fast and leaves nothing running. */
final class Preflight {
  private Preflight() {
  }

  static void checkHttpPortFree(HwaasConfig config) {
    if (config.httpPort() == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(config.httpHost(), config.httpPort()));
    } catch (IOException e) {
      throw new ConfigException("--http-port " + config.httpPort() + " on " + config.httpHost()
          + " cannot be used (" + e.getMessage() + "); choose another, or 0 for any free port");
    }
  }

  static void checkRedisReachable(URI url) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 2000);
    } catch (IOException e) {
      throw new RedisStartException("cannot reach Redis at " + url.getHost() + ":" + url.getPort() + " (" + e.getMessage()
          + "). Check --redis or HWAAS_REDIS, or leave both unset to run the embedded Redis.");
    }
  }
}
