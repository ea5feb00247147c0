package hwaas.chaos;

import java.io.IOException;
import java.net.Socket;
import java.util.function.Function;

/**
 * How the other nodes reach one node of the rig: its Hazelcast port and its event-bus port, each behind a proxy that
 * tells which node connects. The node binds the real ports ({@code --cluster-port}, {@code --event-bus-port}) and
 * advertises the proxies' ({@code --cluster-public-port}, {@code --event-bus-public-port}), so every byte between
 * nodes passes a proxy of the node it goes to, and a cut between two nodes is a cut at each one's proxies of what the
 * other sends.
 */
record ClusterLinks(int clusterPort, TcpProxy cluster, int eventBusPort, TcpProxy eventBus) implements AutoCloseable {

  static ClusterLinks start(String node, int clusterPort, int eventBusPort, Function<Socket, String> source)
      throws IOException {
    TcpProxy cluster = TcpProxy.start(node + "-cluster", clusterPort, source);
    try {
      return new ClusterLinks(clusterPort, cluster, eventBusPort, TcpProxy.start(node + "-event-bus", eventBusPort, source));
    } catch (IOException e) {
      cluster.close();
      throw e;
    }
  }

  /** Cuts what {@code node} sends here, and stalls its new connections; returns the connections closed. */
  int cutFrom(String node) {
    return cluster.cut(node) + eventBus.cut(node);
  }

  void heal() {
    cluster.heal();
    eventBus.heal();
  }

  @Override
  public void close() {
    cluster.close();
    eventBus.close();
  }

  @Override
  public String toString() {
    return "cluster port " + clusterPort + " (others reach it at " + cluster.port() + "), event bus " + eventBusPort
        + " (at " + eventBus.port() + ")";
  }
}
