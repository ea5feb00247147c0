package hwaas.cluster;

import com.hazelcast.config.NetworkConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe that lets the first node of a cluster skip Hazelcast's one-second join wait. */
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

  private static NetworkConfig network(int port, int portCount, String members) {
    NetworkConfig network = new NetworkConfig().setPort(port).setPortCount(portCount).setPortAutoIncrement(true);
    network.getJoin().getTcpIpConfig().setEnabled(true).addMember(members);
    return network;
  }
}
