package hwaas.cluster;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts this node's entry back in the cluster's node list when it is gone while the node is a member. A split-brain
 * merge can lose it (the merging side's map entries give way to the other side's, where this node had left): the node
 * then runs and is a Hazelcast member, but no node lists it and no node can reach its event bus. Seen in the chaos
 * tests after a cut between two nodes healed.
 */
public final class NodeInfoKeeper {
  private static final Logger log = LoggerFactory.getLogger(NodeInfoKeeper.class);
  /** How often the entry is looked up: a lost one is back within this time after the merge. */
  static final long CHECK_MILLIS = 3_000;

  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;
  private long timer = -1;
  private volatile boolean stopped;

  public NodeInfoKeeper(Vertx vertx, HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
  }

  public void start() {
    // Off the event loop: the cluster manager's getNodeInfo() waits on the lock its membership and merge handlers hold
    // while they call Hazelcast, which was seen to hold a node's event loop for 4.7 s during a split (its workers
    // could not keep hold of their entries, and another node ran them again).
    timer = vertx.setPeriodic(CHECK_MILLIS, t -> vertx.executeBlocking(() -> {
      check();
      return null;
    }, false).onFailure(err -> log.warn("could not check this node's entry in the cluster's node list", err)));
  }

  /** Before the node leaves the cluster: a check after that would put back the entry of a node that is gone. */
  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void check() {
    NodeInfo mine = clusterManager.getNodeInfo();
    String id = clusterManager.getNodeId();
    if (stopped || mine == null || id == null || !clusterManager.getNodes().contains(id)) {
      return;
    }
    Promise<NodeInfo> found = Promise.promise();
    clusterManager.getNodeInfo(id, found);
    found.future().onComplete(ar -> {
      if (stopped || (ar.succeeded() && ar.result() != null)) {
        return;
      }
      Promise<Void> put = Promise.promise();
      clusterManager.setNodeInfo(mine, put);
      put.future()
          .onSuccess(v -> log.warn("this node's entry in the cluster's node list was gone (a split-brain merge?); put back"))
          .onFailure(err -> log.warn("this node's entry in the cluster's node list is gone and could not be put back", err));
    });
  }
}
