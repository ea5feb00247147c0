package hwaas.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A TCP forwarder on 127.0.0.1 in front of one port (a node's Redis, a node's cluster or event-bus port), so that a
 * link can be cut with neither end knowing: {@link #cut()} closes every connection through it and stalls new ones
 * (accepted, nothing forwarded), as a network partition would; {@link #heal()} puts the stalled ones through, as TCP
 * does once a partition ends, and forwards new ones again. A proxy that knows who connects ({@code source}) can cut
 * the connections of one source only ({@link #cut(String)}): every node reaches a node's port through the same proxy,
 * and a cut between two nodes must leave the third alone. Plain blocking threads, two per connection: a node holds a
 * handful of connections.
 */
final class TcpProxy implements AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private final String name;
  private final int targetPort;
  private final ServerSocket server;
  /** Who made an accepted connection ({@code null}: unknown); asked once per connection. */
  private final Function<Socket, String> source;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  /** Connections accepted during a cut, with their source, put through at the heal. Guarded by {@code this}. */
  private final Map<Socket, String> stalled = new LinkedHashMap<>();
  /** Guarded by {@code this}: everything cut, or only these sources. */
  private boolean cutAll;
  private final Set<String> cutSources = new HashSet<>();
  private volatile boolean closed;

  private TcpProxy(String name, int targetPort, ServerSocket server, Function<Socket, String> source) {
    this.name = name;
    this.targetPort = targetPort;
    this.server = server;
    this.source = source;
  }

  /** Listens on a free loopback port and forwards every connection to {@code targetPort} on loopback. */
  static TcpProxy start(String name, int targetPort) throws IOException {
    return start(name, targetPort, socket -> null);
  }

  /** As {@link #start(String, int)}, telling each connection's source by {@code source}, for {@link #cut(String)}. */
  static TcpProxy start(String name, int targetPort, Function<Socket, String> source) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(LOOPBACK, 0));
    TcpProxy proxy = new TcpProxy(name, targetPort, server, source);
    daemon("chaos-proxy-" + name, proxy::acceptLoop).start();
    return proxy;
  }

  int port() {
    return server.getLocalPort();
  }

  /** Closes every connection through the proxy; until {@link #heal()}, new ones are accepted and left hanging. */
  synchronized void cut() {
    cutAll = true;
    for (Link link : links) {
      link.close();
    }
  }

  /** As {@link #cut()}, for the connections {@code from} makes only; returns how many were closed. */
  synchronized int cut(String from) {
    cutSources.add(from);
    int closed = 0;
    for (Link link : links) {
      if (from.equals(link.source)) {
        link.close();
        closed++;
      }
    }
    return closed;
  }

  /** Forwards again, starting with the connections that were left hanging during the cut. */
  synchronized void heal() {
    cutAll = false;
    cutSources.clear();
    stalled.forEach(this::forward);
    stalled.clear();
  }

  /** Connections open through the proxy now. */
  int connections() {
    return links.size();
  }

  /** Connections open through the proxy now from {@code from}. */
  int connections(String from) {
    return (int) links.stream().filter(link -> from.equals(link.source)).count();
  }

  @Override
  public synchronized void close() {
    closed = true;
    closeQuietly(server);
    for (Link link : links) {
      link.close();
    }
    stalled.keySet().forEach(TcpProxy::closeQuietly);
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
      String from = source.apply(client); // before the lock: it may read /proc or run lsof
      synchronized (this) {
        if (closed) {
          closeQuietly(client);
        } else if (cutAll || cutSources.contains(from)) {
          stalled.put(client, from);
        } else {
          forward(client, from);
        }
      }
    }
  }

  /** Called holding {@code this}, so a cut never misses a link being made. The target is on loopback: connecting is quick. */
  private void forward(Socket client, String from) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(new InetSocketAddress(LOOPBACK, targetPort), 1_000);
    } catch (IOException e) {
      // The target is down: the client sees its connection closed, as it would without a proxy.
      closeQuietly(upstream);
      closeQuietly(client);
      return;
    }
    Link link = new Link(client, upstream, from);
    links.add(link);
    daemon("chaos-proxy-" + name + "-up", () -> link.pump(client, upstream)).start();
    daemon("chaos-proxy-" + name + "-down", () -> link.pump(upstream, client)).start();
  }

  /** One connection through the proxy; closing either side closes both. */
  private final class Link {
    private final Socket client;
    private final Socket upstream;
    private final String source;

    Link(Socket client, Socket upstream, String source) {
      this.client = client;
      this.upstream = upstream;
      this.source = source;
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
