package hwaas.cluster;

import hwaas.support.Loopback;

import java.nio.file.Files;
import java.nio.file.Path;

import static hwaas.support.Check.require;

/**
 * How a node finds and joins the others.
 *
 * @param host             IP address the cluster and event bus bind to and advertise
 * @param members          where to look for other members (TCP/IP)
 * @param port             Hazelcast's member port; 0: 5701 or the next free one up to 5720
 * @param publicPort       the port other members reach {@code port} at, when something forwards it (a port forward, a
 *                         proxy); 0: {@code port} itself
 * @param eventBusPort     port of the event bus between nodes; 0 picks a free one
 * @param eventBusPublicPort the port other nodes reach the event bus at, when something forwards it; 0: the bound one
 * @param keystore         PKCS#12 keystore that encrypts the event bus between nodes ({@code null}: plain TCP)
 * @param join             join a running cluster and use its Redis instead of starting one
 * @param insecure         allow a non-loopback host without a keystore (--insecure-cluster): a private network only
 */
public record ClusterSettings(String name, String host, String members, int port, int publicPort, int eventBusPort,
                              int eventBusPublicPort, Path keystore, String keystorePassword, boolean join,
                              boolean insecure) {
  /** Hazelcast's first port when none is given; the next ones up to {@link #PORT_COUNT} are tried. */
  public static final int DEFAULT_PORT = 5701;
  public static final int PORT_COUNT = 20;

  public ClusterSettings {
    require(name != null && name.matches("[A-Za-z0-9_.-]{1,64}"),
        "--cluster-name must be 1 to 64 letters, digits, '.', '_' or '-', got '" + name + "'");
    require(host != null && !host.isBlank(), "--cluster-host must not be empty");
    require(members != null && !members.isBlank(), "--members must not be empty");
    require(port >= 0 && port <= 65535, "--cluster-port must be between 1 and 65535 (0: 5701 or the next free one), got " + port);
    require(publicPort >= 0 && publicPort <= 65535, "--cluster-public-port must be between 1 and 65535 (0: the cluster port itself), got " + publicPort);
    require(eventBusPort >= 0 && eventBusPort <= 65535, "--event-bus-port must be between 0 and 65535, got " + eventBusPort);
    require(eventBusPublicPort >= 0 && eventBusPublicPort <= 65535,
        "--event-bus-public-port must be between 1 and 65535 (0: the event bus port itself), got " + eventBusPublicPort);
    require(keystore == null || Files.isReadable(keystore), "--cluster-keystore " + keystore + " cannot be read");
    require(keystore == null || (keystorePassword != null && !keystorePassword.isEmpty()),
        "--cluster-keystore needs its password in HWAAS_CLUSTER_KEYSTORE_PASSWORD");
    require(keystore != null || insecure || Loopback.is(host), "--cluster-host " + host + " is not a loopback address: "
        + "anyone who reaches it could join the cluster (Hazelcast membership has no authentication), write its map, "
        + "and send jobs or stats on the event bus. Give every node --cluster-keystore (mutual TLS on the event bus) and "
        + "keep the cluster port on a private network, or pass --insecure-cluster if that network is private already");
  }

  /** Without ports of its own: Hazelcast's from 5701, and nothing forwarded. */
  public ClusterSettings(String name, String host, String members, int eventBusPort, Path keystore,
                         String keystorePassword, boolean join, boolean insecure) {
    this(name, host, members, 0, 0, eventBusPort, 0, keystore, keystorePassword, join, insecure);
  }

  public static ClusterSettings defaults() {
    return new ClusterSettings("hwaas", "127.0.0.1", "127.0.0.1", 0, null, null, false, false);
  }

  public ClusterSettings withName(String name) {
    return new ClusterSettings(name, host, members, port, publicPort, eventBusPort, eventBusPublicPort, keystore,
        keystorePassword, join, insecure);
  }

  public ClusterSettings withKeystore(Path keystore, String password) {
    return new ClusterSettings(name, host, members, port, publicPort, eventBusPort, eventBusPublicPort, keystore,
        password, join, insecure);
  }

  @Override
  public String toString() {
    return "ClusterSettings[name=" + name + ", host=" + host + ", members=" + members + ", port=" + port
        + ", publicPort=" + publicPort + ", eventBusPort=" + eventBusPort + ", eventBusPublicPort=" + eventBusPublicPort
        + ", keystore=" + keystore + ", join=" + join + ", insecure=" + insecure + "]";
  }
}
