package hwaas.cluster;

import com.hazelcast.config.NetworkConfig;
import hwaas.support.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe that lets the first node of a cluster skip Hazelcast's one-second join wait; the ports a node binds and advertises. */
class ClusterSetupTest {

  @Test
  @DisplayName("a listener on any port of the member range keeps the default join; all ports refusing allows the fast one")
  void probesTheWholePortRange() throws Exception {
    int port;
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = listener.getLocalPort();
      assertFalse(ClusterSetup.noMemberListens(network(port - 1, 2, "127.0.0.1")), "listener on the second port");
      assertFalse(ClusterSetup.noMemberListens(network(port - 1, 1, "127.0.0.1:" + port)), "listener on an explicit port");
    }
    assertTrue(ClusterSetup.noMemberListens(network(port, 1, "127.0.0.1")), "nothing listens any more");
  }

  @Test
  @DisplayName("wildcards and ranges are left to Hazelcast")
  void leavesPatternsToHazelcast() {
    assertFalse(ClusterSetup.noMemberListens(network(1, 1, "127.0.0.*")));
    assertFalse(ClusterSetup.noMemberListens(network(1, 1, "127.0.0.1-3")));
  }

  @Test
  @DisplayName("--cluster-port binds exactly that port (reusable at once); the public ports are what the node advertises")
  void portsGivenAndAdvertised() {
    ClusterSettings settings = new ClusterSettings("t", "127.0.0.1", "127.0.0.1", 6101, 7101, 0, 7102, null, null, false, false);
    NetworkConfig network = ClusterSetup.hazelcastConfig(settings).getNetworkConfig();
    assertEquals(6101, network.getPort());
    assertFalse(network.isPortAutoIncrement());
    assertTrue(network.isReuseAddress());
    assertEquals("127.0.0.1:7101", network.getPublicAddress());

    NetworkConfig plain = ClusterSetup.hazelcastConfig(ClusterSettings.defaults().withName("t")).getNetworkConfig();
    assertEquals(ClusterSettings.DEFAULT_PORT, plain.getPort());
    assertTrue(plain.isPortAutoIncrement());
    assertNull(plain.getPublicAddress());
  }

  @Test
  @DisplayName("-Dhwaas.kubernetes.service=NAME: Hazelcast finds the members through that Kubernetes service, not the list")
  void kubernetesDiscovery() {
    var plain = ClusterSetup.hazelcastConfig(ClusterSettings.defaults().withName("t")).getNetworkConfig().getJoin();
    assertTrue(plain.getTcpIpConfig().isEnabled());
    assertFalse(plain.getKubernetesConfig().isEnabled());
    System.setProperty("hwaas.kubernetes.service", "hwaas-hazelcast");
    try {
      var join = ClusterSetup.hazelcastConfig(ClusterSettings.defaults().withName("t")).getNetworkConfig().getJoin();
      assertFalse(join.getTcpIpConfig().isEnabled());
      assertTrue(join.getKubernetesConfig().isEnabled());
      assertEquals("hwaas-hazelcast", join.getKubernetesConfig().getProperty("service-name"));
    } finally {
      System.clearProperty("hwaas.kubernetes.service");
    }
  }

  @Test
  @DisplayName("a cluster port or public port outside 0..65535 is refused with the flag's name")
  void badPortsRefused() {
    for (int[] ports : new int[][] {{70000, 0, 0}, {0, -1, 0}, {0, 0, 65536}}) {
      ConfigException e = assertThrows(ConfigException.class, () ->
          new ClusterSettings("t", "127.0.0.1", "127.0.0.1", ports[0], ports[1], 0, ports[2], null, null, false, false));
      assertTrue(e.getMessage().matches("--(cluster-port|cluster-public-port|event-bus-public-port) must be between .*"),
          e.getMessage());
    }
  }

  private static NetworkConfig network(int port, int portCount, String members) {
    NetworkConfig network = new NetworkConfig().setPort(port).setPortCount(portCount).setPortAutoIncrement(true);
    network.getJoin().getTcpIpConfig().setEnabled(true).addMember(members);
    return network;
  }
}
