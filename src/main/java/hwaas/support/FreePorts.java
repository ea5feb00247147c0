package hwaas.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free loopback port for a server that another process (or a later step) will bind. An ephemeral port from
 * {@code bind(0)} can be handed meanwhile to any outgoing connection on the machine as its local port, and then the
 * server's bind fails; so the port is picked below the kernel's ephemeral range, where outgoing connections never take
 * one. Another process may still pick the same port by chance: the choice is random and the caller binds it soon.
 */
public final class FreePorts {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  /** Linux's default start of the ephemeral range, where the range cannot be read (other systems). */
  private static final int DEFAULT_EPHEMERAL_START = 32768;
  private static final int LOWEST = 10_000;
  private static final int ATTEMPTS = 200;

  private FreePorts() {
  }

  /** A port on 127.0.0.1 that could be bound just now, below the ephemeral range where possible. */
  public static int loopback() throws IOException {
    int end = ephemeralStart();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (end > LOWEST + 1_000) {
      for (int i = 0; i < ATTEMPTS; i++) {
        int port = random.nextInt(LOWEST, end);
        if (bindable(port)) {
          return port;
        }
      }
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  static int ephemeralStart() {
    try {
      // readAllLines, not readString: a /proc file reports size 0, and readString then returned a single byte.
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL_START;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
