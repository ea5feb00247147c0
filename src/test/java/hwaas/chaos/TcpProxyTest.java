package hwaas.chaos;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy the chaos rig cuts: everything (a node and Redis), or one source only (one node of three). */
class TcpProxyTest {

  @Test
  @DisplayName("a cut from one source closes its connections and stalls its new ones; the others pass; the heal puts the stalled through")
  void cutOneSource() throws Exception {
    Map<Integer, String> sources = new ConcurrentHashMap<>();
    try (Echo echo = new Echo();
         TcpProxy proxy = TcpProxy.start("test", echo.port(), socket -> sources.get(socket.getPort()))) {
      Socket a = connect(proxy, sources, "a");
      Socket b = connect(proxy, sources, "b");
      assertEquals('1', roundTrip(a, '1'));
      assertEquals('2', roundTrip(b, '2'));
      assertEquals(1, proxy.connections("a"));

      assertEquals(1, proxy.cut("a"));
      assertEquals(-1, a.getInputStream().read(), "a's connection is closed");
      assertEquals('3', roundTrip(b, '3'), "b's still passes");
      Socket again = connect(proxy, sources, "a");
      again.setSoTimeout(300);
      again.getOutputStream().write('4');
      assertThrows(SocketTimeoutException.class, () -> again.getInputStream().read(), "a's new connection hangs");
      Socket other = connect(proxy, sources, "c");
      assertEquals('5', roundTrip(other, '5'), "a new connection from another source passes");

      proxy.heal();
      again.setSoTimeout(2_000);
      assertEquals('4', again.getInputStream().read(), "what a sent during the cut arrives after the heal");
      for (Socket socket : new Socket[] {b, again, other}) {
        socket.close();
      }
    }
  }

  @Test
  @DisplayName("a cut of everything closes every connection")
  void cutAll() throws Exception {
    try (Echo echo = new Echo(); TcpProxy proxy = TcpProxy.start("test", echo.port())) {
      Socket a = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
      a.setSoTimeout(2_000);
      assertEquals('1', roundTrip(a, '1'));
      proxy.cut();
      assertEquals(-1, a.getInputStream().read());
      proxy.heal();
    }
  }

  /** A connection through the proxy whose client port is known as {@code source} before the proxy accepts it. */
  private static Socket connect(TcpProxy proxy, Map<Integer, String> sources, String source) throws IOException {
    Socket socket = new Socket();
    socket.bind(null);
    sources.put(socket.getLocalPort(), source);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 2_000);
    socket.setSoTimeout(2_000);
    return socket;
  }

  private static int roundTrip(Socket socket, char c) throws IOException {
    socket.getOutputStream().write(c);
    socket.getOutputStream().flush();
    return socket.getInputStream().read();
  }

  /** Echoes every byte back, a thread per connection. */
  private static final class Echo implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

    Echo() throws IOException {
      Thread accept = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            Thread pump = new Thread(() -> {
              try (socket; InputStream in = socket.getInputStream()) {
                for (int b = in.read(); b >= 0; b = in.read()) {
                  socket.getOutputStream().write(b);
                }
              } catch (IOException e) {
                // closed
              }
            });
            pump.setDaemon(true);
            pump.start();
          } catch (IOException e) {
            return;
          }
        }
      });
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
