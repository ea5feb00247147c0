package hwaas.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 between one node and Redis, so that their link can be cut with neither end knowing:
 * {@link #cut()} closes every connection through it and stalls new ones (accepted, nothing forwarded), as a network
 * partition would; {@link #heal()} puts the stalled ones through, as TCP does once a partition ends, and forwards
 * new ones again. Plain blocking threads, two per connection: a node holds a handful of Redis connections.
 */
final class TcpProxy implements AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private final String name;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  /** Connections accepted during a cut, put through at the heal. Guarded by {@code this}. */
  private final List<Socket> stalled = new ArrayList<>();
  /** Guarded by {@code this}. */
  private boolean cut;
  private volatile boolean closed;

  private TcpProxy(String name, int targetPort, ServerSocket server) {
    this.name = name;
    this.targetPort = targetPort;
    this.server = server;
  }

  /** Listens on a free loopback port and forwards every connection to {@code targetPort} on loopback. */
  static TcpProxy start(String name, int targetPort) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(LOOPBACK, 0));
    TcpProxy proxy = new TcpProxy(name, targetPort, server);
    daemon("chaos-proxy-" + name, proxy::acceptLoop).start();
    return proxy;
  }

  int port() {
    return server.getLocalPort();
  }

  /** Closes every connection through the proxy; until {@link #heal()}, new ones are accepted and left hanging. */
  synchronized void cut() {
    cut = true;
    for (Link link : links) {
      link.close();
    }
  }

  /** Forwards again, starting with the connections that were left hanging during the cut. */
  synchronized void heal() {
    cut = false;
    for (Socket socket : stalled) {
      forward(socket);
    }
    stalled.clear();
  }

  /** Connections open through the proxy now. */
  int connections() {
    return links.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    closeQuietly(server);
    for (Link link : links) {
      link.close();
    }
    stalled.forEach(TcpProxy::closeQuietly);
    stalled.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      synchronized (this) {
        if (closed) {
          closeQuietly(client);
        } else if (cut) {
          stalled.add(client);
        } else {
          forward(client);
        }
      }
    }
  }

  /** Called holding {@code this}, so a cut never misses a link being made. Redis is on loopback: connecting is quick. */
  private void forward(Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(new InetSocketAddress(LOOPBACK, targetPort), 1_000);
    } catch (IOException e) {
      // Redis is down: the node sees its connection closed, as it would without a proxy.
      closeQuietly(upstream);
      closeQuietly(client);
      return;
    }
    Link link = new Link(client, upstream);
    links.add(link);
    daemon("chaos-proxy-" + name + "-up", () -> link.pump(client, upstream)).start();
    daemon("chaos-proxy-" + name + "-down", () -> link.pump(upstream, client)).start();
  }

  /** One connection through the proxy; closing either side closes both. */
  private final class Link {
    private final Socket client;
    private final Socket upstream;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void pump(Socket from, Socket to) {
      byte[] buffer = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // closed by a cut, or by either end
      } finally {
        close();
      }
    }

    void close() {
      closeQuietly(client);
      closeQuietly(upstream);
      links.remove(this);
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
