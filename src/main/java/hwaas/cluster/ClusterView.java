package hwaas.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;

/**
 * The live members of the cluster as Hazelcast sees them, each described by the metadata its node published
 * when it joined ({@link NodeMetadata}). A node that leaves disappears at once; one that is killed, as soon
 * as Hazelcast notices (at once on a refused connection, at most about a minute without one).
 */
public final class ClusterView {
  private final HazelcastClusterManager clusterManager;
  private final String name;

  public ClusterView(HazelcastClusterManager clusterManager, String name) {
    this.clusterManager = clusterManager;
    this.name = name;
  }

  /** The cluster's name (--cluster-name). */
  public String name() {
    return name;
  }

  public Future<JsonArray> nodes() {
    List<Future<JsonObject>> infos = new ArrayList<>();
    for (String id : clusterManager.getNodes()) {
      Promise<NodeInfo> info = Promise.promise();
      clusterManager.getNodeInfo(id, info);
      infos.add(info.future().map(i -> NodeMetadata.describe(i.metadata(), i.host(), i.port()))
          .otherwise(err -> null)); // left while we asked
    }
    return Future.all(infos).map(all -> {
      JsonArray nodes = new JsonArray();
      infos.stream().map(Future::result).filter(n -> n != null).forEach(nodes::add);
      return nodes;
    });
  }
}
