package hwaas.support;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FreePortsTest {
  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  @Test
  void picksBindablePortsBelowTheEphemeralRange() throws Exception {
    assumeTrue(Files.isReadable(RANGE), "a Linux machine");
    int start = Integer.parseInt(Files.readAllLines(RANGE).get(0).trim().split("\\s+")[0]);
    assertEquals(start, FreePorts.ephemeralStart());
    for (int i = 0; i < 20; i++) {
      int port = FreePorts.loopback();
      assertTrue(port >= 10_000 && port < start, port + " is not below the ephemeral range starting at " + start);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress("127.0.0.1", port));
      }
    }
  }
}
