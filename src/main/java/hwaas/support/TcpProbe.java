package hwaas.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;

/** Whether something listens at an address: a TCP connect, closed at once. Blocks, so never on an event loop. */
public final class TcpProbe {
  private TcpProbe() {
  }

  /** Empty if the connection was made; otherwise why not (a ConnectException means refused at once). */
  public static Optional<IOException> connect(String host, int port, int timeoutMillis) {
    try {
      return connect(InetAddress.getByName(host), port, timeoutMillis);
    } catch (IOException e) {
      return Optional.of(e);
    }
  }

  public static Optional<IOException> connect(InetAddress address, int port, int timeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), timeoutMillis);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e);
    }
  }
}
