package hwaas.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.config.XmlConfigBuilder;
import hwaas.support.TcpProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.util.Properties;

/** Builds the clustered Vert.x instance of a node, with Hazelcast configured by {@code cluster.xml}. */
public final class ClusterSetup {
  private static final String JOIN_PORT_TRY_COUNT = "hazelcast.tcp.join.port.try.count";

  private ClusterSetup() {
  }

  public static HazelcastClusterManager clusterManager(ClusterSettings settings) {
    return new HazelcastClusterManager(hazelcastConfig(settings));
  }

  /** @param metadata what this node tells the others about itself ({@link NodeMetadata}) */
  public static Future<Vertx> start(ClusterSettings settings, HazelcastClusterManager clusterManager, JsonObject metadata) {
    EventBusOptions eventBus = new EventBusOptions()
        .setHost(settings.host())
        .setPort(settings.eventBusPort())
        .setClusterPublicHost(settings.host())
        .setClusterNodeMetadata(metadata);
    if (settings.eventBusPublicPort() > 0) {
      eventBus.setClusterPublicPort(settings.eventBusPublicPort());
    }
    if (settings.keystore() != null) {
      // Mutual TLS: a node talks only to nodes that hold a certificate the shared keystore trusts.
      PfxOptions keystore = new PfxOptions().setPath(settings.keystore().toString())
          .setPassword(settings.keystorePassword());
      eventBus.setSsl(true).setKeyCertOptions(keystore).setTrustOptions(keystore.copy())
          .setClientAuth(ClientAuth.REQUIRED);
    }
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName(metricsRegistry(metadata.getString("id")))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    return Vertx.builder()
        // An event loop held past its 2 s limit is logged with its stack at once (Vert.x waits 5 s by default): the
        // warning alone cannot tell what held it, and a hold of 2 to 5 s already costs a visibility timeout.
        .with(new VertxOptions().setEventBusOptions(eventBus).setMetricsOptions(metrics)
            .setWarningExceptionTime(VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME)
            .setWarningExceptionTimeUnit(VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME_UNIT))
        .withClusterManager(clusterManager)
        .buildClustered();
  }

  /** The name of a node's metrics registry: one per node, since tests run several nodes in one JVM. */
  public static String metricsRegistry(String nodeId) {
    return "hwaas-" + nodeId;
  }

  /** {@code cluster.xml} from the jar (the top-level file), with this node's values filled in. */
  static Config hazelcastConfig(ClusterSettings settings) {
    // Per node, not System properties: tests run several nodes, with different cluster names, in one JVM.
    Properties values = new Properties();
    values.putAll(System.getProperties());
    values.setProperty("hwaas.cluster.name", settings.name());
    values.setProperty("hwaas.cluster.host", settings.host());
    values.setProperty("hwaas.members", settings.members());
    // Kubernetes discovery instead of the member list when the container is given a headless service's name.
    String kubernetesService = values.getProperty("hwaas.kubernetes.service", "");
    values.setProperty("hwaas.kubernetes.service", kubernetesService);
    values.setProperty("hwaas.kubernetes.enabled", Boolean.toString(!kubernetesService.isBlank()));
    values.setProperty("hwaas.tcp-ip.enabled", Boolean.toString(kubernetesService.isBlank()));
    try (InputStream xml = ClusterSetup.class.getResourceAsStream("/cluster.xml")) {
      if (xml == null) {
        throw new IllegalStateException("cluster.xml is missing from the classpath; rebuild with ./mvnw package");
      }
      Config hz = new XmlConfigBuilder(xml).setProperties(values).build();
      ports(hz.getNetworkConfig(), settings);
      if (hz.getProperty(JOIN_PORT_TRY_COUNT) == null && System.getProperty(JOIN_PORT_TRY_COUNT) == null
          && noMemberListens(hz.getNetworkConfig())) {
        // Hazelcast's TCP join waits a fixed second for answers even when every other port refused at once: the
        // first node of a cluster started a second late. When nothing listens on any member port, this node is
        // the first, so it asks only the base port (itself, unless a node took it meanwhile: then it asks that
        // one) and is master at once. Nodes that start later find a listener, keep the default and join it.
        hz.setProperty(JOIN_PORT_TRY_COUNT, "1");
      }
      return hz;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read cluster.xml", e);
    }
  }

  /**
   * A port given: that one only, reusable at once (a node restarted right after a kill finds it in TIME_WAIT). A public
   * port: what the member advertises, so that the others connect to whatever forwards it to this one.
   */
  static void ports(NetworkConfig network, ClusterSettings settings) {
    if (settings.port() > 0) {
      network.setPort(settings.port()).setPortAutoIncrement(false).setReuseAddress(true);
    }
    if (settings.publicPort() > 0) {
      String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host(); // IPv6
      network.setPublicAddress(host + ":" + settings.publicPort());
    }
  }

  /**
   * Whether every port a member could listen on refuses a connection at once. Anything else (a listener, a
   * timeout, an unknown host or an address form not handled here) answers false: the default join then applies.
   */
  static boolean noMemberListens(NetworkConfig network) {
    TcpIpConfig tcp = network.getJoin().getTcpIpConfig();
    if (!tcp.isEnabled() || tcp.getRequiredMember() != null) {
      return false;
    }
    int ports = network.isPortAutoIncrement() ? network.getPortCount() : 1;
    for (String member : tcp.getMembers()) {
      String host = member.trim();
      if (host.startsWith("[") || host.contains("*") || host.matches("[0-9.]*-.*")) {
        return false; // [v6]:port, wildcards and ranges: left to Hazelcast
      }
      int first = network.getPort();
      int count = ports;
      int colon = host.lastIndexOf(':');
      if (colon > 0 && host.indexOf(':') == colon) { // host:port (IPv4 or a name); bare IPv6 has several colons
        try {
          first = Integer.parseInt(host.substring(colon + 1));
        } catch (NumberFormatException e) {
          return false;
        }
        count = 1;
        host = host.substring(0, colon);
      }
      try {
        for (InetAddress address : InetAddress.getAllByName(host)) {
          for (int port = first; port < first + count; port++) {
            if (!refuses(address, port)) {
              return false;
            }
          }
        }
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private static boolean refuses(InetAddress address, int port) {
    return TcpProbe.connect(address, port, 200).orElse(null) instanceof ConnectException;
  }
}
