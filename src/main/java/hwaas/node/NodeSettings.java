package hwaas.node;

import hwaas.work.WorkSettings;
import hwaas.client.ClientSettings;
import hwaas.cluster.ClusterSettings;
import hwaas.http.HttpSettings;
import hwaas.jobs.JobLimits;
import hwaas.queue.QueueSettings;
import hwaas.redis.ClusterAddress;
import hwaas.redis.RedisSettings;
import hwaas.schedule.Misfire;
import hwaas.support.AuditSettings;
import hwaas.worker.WorkerSettings;


/**
 * A node's settings: one small record per feature, each checked when built (from the flags, once) and handed
 * only to the feature that uses it. Values known only at run time (the embedded Redis's address, the HTTP port
 * chosen) give a new record through the {@code with...} methods.
 */
public record NodeSettings(RedisSettings redis, ClusterSettings cluster, HttpSettings http, QueueSettings queue,
                           WorkerSettings workers, JobLimits limits, ClientSettings clients, AuditSettings audit,
                           Misfire misfire, WorkSettings work) {

  public NodeSettings {
    boolean onCluster = ClusterAddress.isCluster(redis.url());
    queue = queue.onRedisCluster(onCluster);
  }

  /** Defaults for everything but the two numbers the user always gives. */
  public static NodeSettings defaults(int workers, int clients) {
    return new NodeSettings(RedisSettings.defaults(), ClusterSettings.defaults(), HttpSettings.defaults(),
        QueueSettings.defaults(), WorkerSettings.defaults(workers), JobLimits.defaults(), ClientSettings.defaults(clients),
        AuditSettings.NONE, Misfire.ONCE, WorkSettings.defaults());
  }

  public NodeSettings withRedis(RedisSettings redis) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withCluster(ClusterSettings cluster) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withHttp(HttpSettings http) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withQueue(QueueSettings queue) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withWorkers(WorkerSettings workers) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withLimits(JobLimits limits) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withClients(ClientSettings clients) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withMisfire(Misfire misfire) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withWork(WorkSettings work) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }

  public NodeSettings withAudit(AuditSettings audit) {
    return new NodeSettings(redis, cluster, http, queue, workers, limits, clients, audit, misfire, work);
  }
}
