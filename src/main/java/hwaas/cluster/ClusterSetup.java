package hwaas.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import hwaas.config.HwaasConfig;
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
import java.util.Properties;

/** Builds the clustered Vert.x instance of a node, with Hazelcast configured by {@code cluster.xml}. */
public final class ClusterSetup {
  private ClusterSetup() {
  }

  public static HazelcastClusterManager clusterManager(HwaasConfig config) {
    return new HazelcastClusterManager(hazelcastConfig(config));
  }

  /** @param metadata what this node tells the others about itself ({@link NodeMetadata}) */
  public static Future<Vertx> start(HwaasConfig config, HazelcastClusterManager clusterManager, JsonObject metadata) {
    EventBusOptions eventBus = new EventBusOptions()
        .setHost(config.clusterHost())
        .setPort(config.eventBusPort())
        .setClusterPublicHost(config.clusterHost())
        .setClusterNodeMetadata(metadata);
    if (config.clusterKeystore() != null) {
      // Mutual TLS: a node talks only to nodes that hold a certificate the shared keystore trusts.
      PfxOptions keystore = new PfxOptions().setPath(config.clusterKeystore().toString())
          .setPassword(config.clusterKeystorePassword());
      eventBus.setSsl(true).setKeyCertOptions(keystore).setTrustOptions(keystore.copy())
          .setClientAuth(ClientAuth.REQUIRED);
    }
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName(metricsRegistry(metadata.getString("id")))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    return Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(eventBus).setMetricsOptions(metrics))
        .withClusterManager(clusterManager)
        .buildClustered();
  }

  /** The name of a node's metrics registry: one per node, since tests run several nodes in one JVM. */
  public static String metricsRegistry(String nodeId) {
    return "hwaas-" + nodeId;
  }

  /** {@code cluster.xml} from the jar (the top-level file), with this node's values filled in. */
  static Config hazelcastConfig(HwaasConfig config) {
    // Per node, not System properties: tests run several nodes, with different cluster names, in one JVM.
    Properties values = new Properties();
    values.putAll(System.getProperties());
    values.setProperty("hwaas.cluster.name", config.clusterName());
    values.setProperty("hwaas.cluster.host", config.clusterHost());
    values.setProperty("hwaas.members", config.members());
    try (InputStream xml = ClusterSetup.class.getResourceAsStream("/cluster.xml")) {
      if (xml == null) {
        throw new IllegalStateException("cluster.xml is missing from the classpath; rebuild with ./mvnw package");
      }
      return new XmlConfigBuilder(xml).setProperties(values).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read cluster.xml", e);
    }
  }
}
