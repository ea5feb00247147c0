package hwaas.chaos;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Telling which process made a loopback connection, as the node-to-node proxies of the chaos rig must. */
class SocketOwnersTest {
  private static final long ME = ProcessHandle.current().pid();
  private static final long PARENT = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(1L);

  @Test
  @DisplayName("/proc: the client end of a connection is found in its owner's descriptors, and only there")
  void fromProc() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux only");
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
         Socket accepted = server.accept()) {
      assertEquals(client.getLocalPort(), accepted.getPort());
      assertEquals(Optional.of(ME), SocketOwners.fromProc(accepted.getPort(), server.getLocalPort(), List.of(PARENT, ME)));
      assertEquals(Optional.empty(), SocketOwners.fromProc(accepted.getPort(), server.getLocalPort(), List.of(PARENT)));
    }
  }

  @Test
  @DisplayName("lsof, as on macOS: the same answer")
  void fromLsof() throws Exception {
    assumeTrue(lsofInstalled(), "lsof installed");
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
         Socket accepted = server.accept()) {
      assertEquals(Optional.of(ME), SocketOwners.fromLsof(accepted.getPort(), List.of(PARENT, ME)));
      assertTrue(SocketOwners.fromLsof(accepted.getPort(), List.of(PARENT)).isEmpty());
    }
  }

  private static boolean lsofInstalled() {
    try {
      Process lsof = new ProcessBuilder("lsof", "-v").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return lsof.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
