package hwaas.cli;

import hwaas.support.ConfigException;
import hwaas.bench.BenchCommand;
import hwaas.chaos.ChaosCommand;
import hwaas.client.ClientSettings;
import hwaas.cluster.ClusterSettings;
import hwaas.http.HttpSettings;
import hwaas.jobs.JobLimits;
import hwaas.node.NodeSettings;
import hwaas.queue.QueueSettings;
import hwaas.redis.ClusterAddress;
import hwaas.redis.RedisSettings;
import hwaas.schedule.Misfire;
import hwaas.support.AuditSettings;
import hwaas.worker.WorkerSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.net.URISyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** The command line of {@code ./hwaas}: flags, environment defaults and help text. */
@Command(
    name = "hwaas",
    mixinStandardHelpOptions = true,
    version = "hwaas 0.1.0",
    sortOptions = false,
    usageHelpAutoWidth = true,
    subcommands = {AuditCommand.class, DeadCommand.class, BenchCommand.class, ChaosCommand.class, SubmitCommand.class,
        JobsCommand.class, CancelCommand.class},
    description = "Hello World as a Service: starts one node with WORKERS worker verticles and CLIENTS client "
        + "verticles. Each client submits a print job once a second (see --rate); workers print each job's message "
        + "on standard output and acknowledge it. Logs and the final summary go to standard error.%n",
    footer = {
        "",
        "Environment: HWAAS_REDIS, HWAAS_CLUSTER_HOST and HWAAS_MEMBERS are the defaults of --redis, --cluster-host and --members;",
        "HWAAS_TOKEN (or the file HWAAS_TOKEN_FILE) sets the admin API token (else one is generated and printed once);",
        "HWAAS_READ_TOKEN a read-only one for viewers; HWAAS_CLUSTER_KEYSTORE_PASSWORD opens --cluster-keystore.",
        "Exit status: 0 after a clean stop (Ctrl-C, SIGTERM, --duration, closed stdout); 2 for bad arguments or a "
            + "port in use; 1 for a runtime failure such as an unreachable Redis.",
        "Example: ./hwaas 10 1000     10 workers, 1000 clients, 1000 lines a second",
        "Other commands (each with --help): ./hwaas audit FILE...   ./hwaas dead list|requeue   ./hwaas bench   ./hwaas chaos"})
public final class HwaasCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace");

  // Optional to picocli only: it would demand them before a subcommand too (./hwaas bench); call() requires them.
  @Parameters(index = "0", arity = "0..1", paramLabel = "WORKERS", description = "Worker verticles on this node (0 or more).")
  Integer workers;

  @Parameters(index = "1", arity = "0..1", paramLabel = "CLIENTS", description = "Client verticles on this node (0 or more).")
  Integer clients;

  @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "1",
      description = "Jobs each client submits per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--message", paramLabel = "TEXT", defaultValue = "hello, world!",
      description = "What the print jobs print: one line of 1 to 4096 characters, as a print job's payload takes it (default: '${DEFAULT-VALUE}').")
  String message;

  @Option(names = "--redis", paramLabel = "URL", defaultValue = "${env:HWAAS_REDIS}",
      description = "Use this Redis (redis://[:password@]host:port[/db]; redis-sentinel://[:password@]host:port[,host:port...]/MASTER_NAME to find the primary through sentinels and follow a failover; or redis-cluster://[:password@]host:port[,host:port...] for a Redis Cluster) instead of starting the embedded one. Default: $HWAAS_REDIS, else embedded.")
  String redis;

  @Option(names = "--http-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Interface the HTTP server binds to (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "HTTP port; 0 picks a free one (default: 8080, or the next free port after it, said on stderr).")
  Integer httpPort;

  @Option(names = "--duration", paramLabel = "SECONDS",
      description = "Run this many seconds, then stop as on Ctrl-C (default: until stopped).")
  Double durationSeconds;

  @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
      description = "error, warn, info, debug or trace (default: ${DEFAULT-VALUE}). Libraries log at warn and above unless debug or trace.")
  String logLevel;

  @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "hwaas",
      description = "Hazelcast cluster name; nodes with another name never join (default: ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(names = "--cluster-host", paramLabel = "ADDRESS", defaultValue = "${env:HWAAS_CLUSTER_HOST:-127.0.0.1}",
      description = "IP address the cluster and event bus bind to and advertise to other nodes (default: $HWAAS_CLUSTER_HOST, else 127.0.0.1).")
  String clusterHost;

  @Option(names = "--members", paramLabel = "HOST[:PORT],...", defaultValue = "${env:HWAAS_MEMBERS:-127.0.0.1}",
      description = "Where to look for other cluster members over TCP/IP (default: $HWAAS_MEMBERS, else 127.0.0.1).")
  String members;

  @Option(names = "--event-bus-port", paramLabel = "PORT", defaultValue = "0",
      description = "Port of the event bus between nodes, for firewalls; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int eventBusPort;

  @Option(names = "--cluster-port", paramLabel = "PORT", defaultValue = "0",
      description = "Hazelcast's port between nodes, for firewalls; given, exactly this one (default: 5701 or the next free one up to 5720).")
  int clusterPort;

  @Option(names = "--cluster-public-port", paramLabel = "PORT", defaultValue = "0",
      description = "The port other nodes reach this node's cluster port at, on --cluster-host, when a port forward or proxy stands in between (default: the cluster port itself).")
  int clusterPublicPort;

  @Option(names = "--event-bus-public-port", paramLabel = "PORT", defaultValue = "0",
      description = "The port other nodes reach this node's event bus at, on --cluster-host, when a port forward or proxy stands in between (default: the event bus port itself).")
  int eventBusPublicPort;

  @Option(names = "--join",
      description = "Join the running cluster: start no Redis, use the one the cluster already uses (or --redis).")
  boolean join;

  @Option(names = "--cluster-keystore", paramLabel = "FILE",
      description = "PKCS#12 keystore (key, certificate and trusted certificates) that encrypts the event bus between nodes with TLS; its password in HWAAS_CLUSTER_KEYSTORE_PASSWORD. Every node of the cluster needs it; a non-loopback --cluster-host needs it too (or --insecure-cluster).")
  Path clusterKeystore;

  @Option(names = "--insecure-cluster",
      description = "Allow a non-loopback --cluster-host without --cluster-keystore: only on a network no one else can reach.")
  boolean insecureCluster;

  @Option(names = "--redis-password-file", paramLabel = "FILE",
      description = "Read the Redis password from the first line of FILE: for a --redis URL without one, or the Redis learned on --join. Keeps it off the command line.")
  Path redisPasswordFile;

  @Option(names = "--redis-replicas", paramLabel = "N", defaultValue = "0",
      description = "Confirm a submission (a client's entry id, REST's 202) only once N replicas of the Redis primary have it (WAIT), so it survives the primary's loss; needs N replicas up (default: ${DEFAULT-VALUE}, the primary's word).")
  int redisReplicas;

  @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
      description = "On a Redis Cluster: spread the jobs (the clients', the API's, declared types') over N partitions, each under a hash tag of its own (1 to 64; default: one per primary). Chosen by the service's first node and kept in Redis; a later node may leave it out or give the same N.")
  int partitions;

  @Option(names = "--redis-maxmemory", paramLabel = "SIZE", defaultValue = RedisSettings.DEFAULT_MAX_MEMORY,
      description = "Memory limit of the embedded Redis (e.g. 512mb, 4gb); when full it refuses writes and evicts nothing (default: ${DEFAULT-VALUE}).")
  String redisMaxMemory;

  @Option(names = "--redis-server", paramLabel = "FILE",
      description = "Run this redis-server (7.0 or newer, e.g. /usr/bin/redis-server) as the embedded Redis instead of the jar's (on Linux x86-64 HWaaS's own build with jemalloc; elsewhere a distribution's build runs most job scripts up to twice as fast as the jar's). Not with --redis or --join.")
  Path redisServer;

  @Option(names = "--allow-eviction",
      description = "Accept an external Redis whose maxmemory-policy evicts keys (refused by default: jobs could vanish).")
  boolean allowEviction;

  @Option(names = "--max-delay", paramLabel = "SECONDS", defaultValue = "2592000",
      description = "The furthest ahead a job may be delayed (\"delay\" or \"runAt\" of POST /api/jobs), in seconds (default: ${DEFAULT-VALUE}, 30 days).")
  double maxDelaySeconds;

  @Option(names = "--max-backlog", paramLabel = "JOBS", defaultValue = "10000000",
      description = "Jobs of one type that may wait or run; at it, submissions are refused (REST 429 with Retry-After, clients wait) until workers catch up (default: ${DEFAULT-VALUE}).")
  long maxBacklog;

  @Option(names = "--max-dead", paramLabel = "N", defaultValue = "100000",
      description = "Dead letters kept; past it the oldest are dropped, logged and counted (default: ${DEFAULT-VALUE}).")
  long maxDead;

  @Option(names = "--metrics-public",
      description = "Serve /metrics without a token (for a Prometheus scraper on a trusted network). Default: it needs the admin or the read-only token.")
  boolean metricsPublic;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
      description = "Stream entries a worker reads at once; an entry holds the jobs the queue wrote together, up to 1000 (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Where the embedded Redis keeps its append-only file; a node restarted on it resumes the work left there (default: ~/.hwaas/data).")
  Path dataDir;

  @Option(names = "--fsync", paramLabel = "WHEN", defaultValue = "everysec",
      description = "everysec (lose at most about a second of jobs if the machine fails) or always (fsync every write) (default: ${DEFAULT-VALUE}).")
  String fsync;

  @Option(names = "--visibility-timeout", paramLabel = "SECONDS", defaultValue = "5",
      description = "How long a job may stay unacknowledged on a silent worker before a live worker claims it (default: ${DEFAULT-VALUE}).")
  double visibilitySeconds;

  @Option(names = "--external-type", paramLabel = "NAME=SCHEMA_FILE",
      description = "Declare a job type worked by external workers over HTTP, with the JSON Schema of its payload (repeatable; see PUT /api/types/{name}).")
  java.util.List<String> externalTypes;

  @Option(names = "--lease", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long an external worker holds a fetched job before it is offered again (default: ${DEFAULT-VALUE}).")
  double leaseSeconds;

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "5",
      description = "Attempts of a failing job before it goes to the dead-letter stream (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--job-timeout", paramLabel = "SECONDS", defaultValue = "3",
      description = "How long one attempt of a job may run before it counts as failed; shorter than the visibility timeout (default: ${DEFAULT-VALUE}).")
  double jobTimeoutSeconds;

  @Option(names = "--dedup-window", paramLabel = "SECONDS", defaultValue = "120",
      description = "How long a job id is remembered so a retried submission adds nothing (default: ${DEFAULT-VALUE}).")
  double dedupSeconds;

  @Option(names = "--audit", paramLabel = "FILE",
      description = "Append the id of every printed job to FILE before it is acknowledged, and of every confirmed submission to FILE.submitted; check with ./hwaas audit FILE.")
  Path audit;

  @Option(names = "--max-sleep", paramLabel = "SECONDS", defaultValue = "60",
      description = "The longest a sleep job may ask for (default: ${DEFAULT-VALUE}).")
  double maxSleepSeconds;

  @Option(names = "--misfire", paramLabel = "POLICY", defaultValue = "once",
      converter = MisfireConverter.class,
      description = "What a recurring schedule does about ticks missed while no node ran: once (one job for the latest "
          + "missed tick) or skip (none) (default: ${DEFAULT-VALUE}).")
  Misfire misfire;

  @Option(names = "--record-ttl", paramLabel = "SECONDS", defaultValue = "3600",
      description = "How long the status record of a job submitted over the API is kept after its last change (default: ${DEFAULT-VALUE}).")
  double recordTtlSeconds;

  /** {@code once} or {@code skip}, in any case. */
  static final class MisfireConverter implements CommandLine.ITypeConverter<Misfire> {
    @Override
    public Misfire convert(String value) {
      try {
        return Misfire.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("--misfire must be once or skip, got '" + value + "'");
      }
    }
  }

  /** Turns the parsed flags into checked settings, one record per feature; throws {@link ConfigException} on bad input. */
  public NodeSettings toSettings() {
    if (workers == null || clients == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter" + (workers == null ? "s: 'WORKERS', " : ": ") + "'CLIENTS'");
    }
    URI redisUrl = parseRedis(redis);
    if (redisServer != null && (redisUrl != null || join)) {
      throw new ConfigException("--redis-server runs the embedded Redis, and " + (join ? "--join" : "--redis (or HWAAS_REDIS)")
          + " means none is started here: leave one of them out");
    }
    if (partitions != 0 && !join && !ClusterAddress.isCluster(redisUrl)) {
      throw new ConfigException("--partitions spreads the streams over a Redis Cluster's primaries: give it with a "
          + "redis-cluster:// --redis (or HWAAS_REDIS) only");
    }
    return new NodeSettings(
        new RedisSettings(redisUrl, dataDir != null ? dataDir : RedisSettings.defaultDataDir(), fsync,
            secretFile(redisPasswordFile, "--redis-password-file"), redisMaxMemory, allowEviction,
            redisServer == null ? null : redisServer.toAbsolutePath()),
        new ClusterSettings(clusterName, clusterHost, members, clusterPort, clusterPublicPort, eventBusPort,
            eventBusPublicPort, clusterKeystore, System.getenv("HWAAS_CLUSTER_KEYSTORE_PASSWORD"), join, insecureCluster),
        http(givenToken()),
        new QueueSettings(QueueSettings.defaults().keyPrefix(), seconds(dedupSeconds, "--dedup-window"),
            seconds(recordTtlSeconds, "--record-ttl"), QueueSettings.defaults().submitTimeout(), maxDead, maxBacklog,
            seconds(maxDelaySeconds, "--max-delay"), redisReplicas, partitions),
        WorkerSettings.defaults(workers).withBatchSize(batch)
            .withRetries(maxAttempts, WorkerSettings.defaults(workers).retryBackoff()),
        new JobLimits(seconds(jobTimeoutSeconds, "--job-timeout"), seconds(visibilitySeconds, "--visibility-timeout"),
            seconds(maxSleepSeconds, "--max-sleep")),
        new ClientSettings(clients, rate, message),
        new AuditSettings(audit),
        misfire, ExternalTypeFlags.settings(externalTypes, leaseSeconds));
  }

  /** --duration, checked; {@code null} runs until stopped. */
  public Duration duration() {
    if (durationSeconds == null) {
      return null;
    }
    if (!(durationSeconds > 0) || durationSeconds > 365 * 24 * 3600) {
      throw new ConfigException("--duration must be above 0 seconds and at most a year, got " + durationSeconds);
    }
    return Duration.ofMillis(Math.round(durationSeconds * 1000));
  }

  /** --log-level, checked. */
  public String logLevel() {
    String level = logLevel == null ? "info" : logLevel.toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw new ConfigException("--log-level must be one of error, warn, info, debug, trace, got '" + logLevel + "'");
    }
    return level;
  }

  /** Runs the node until it is stopped; bad input ends with a {@link ConfigException} before anything starts. */
  @Override
  public Integer call() {
    NodeSettings settings = toSettings();
    Duration duration = duration();
    LogLevels.apply(logLevel());
    return NodeRun.run(settings, duration, spec.commandLine());
  }

  /** Without a given token the node makes one up, and only then does its banner print it. */
  private HttpSettings http(String givenToken) {
    return new HttpSettings(httpHost, httpPort == null ? HttpSettings.AUTO_PORT : httpPort,
        givenToken == null ? HttpSettings.randomToken() : givenToken, readToken(), metricsPublic, givenToken == null);
  }

  /** HWAAS_TOKEN, else the first line of the file HWAAS_TOKEN_FILE names (a container's secret), else {@code null}. */
  private static String givenToken() {
    String fromEnvironment = System.getenv("HWAAS_TOKEN");
    if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
      return fromEnvironment;
    }
    String file = System.getenv("HWAAS_TOKEN_FILE");
    return file == null || file.isEmpty() ? null : secretFile(Path.of(file), "HWAAS_TOKEN_FILE");
  }

  private static String readToken() {
    String fromEnvironment = System.getenv("HWAAS_READ_TOKEN");
    return fromEnvironment == null || fromEnvironment.isEmpty() ? null : fromEnvironment;
  }

  /** The first line of a file that holds a secret; the error names the file, never what is in it. */
  private static String secretFile(Path file, String what) {
    if (file == null) {
      return null;
    }
    try {
      String first = Files.readAllLines(file).stream().findFirst().orElse("").trim();
      if (first.isEmpty()) {
        throw new ConfigException(what + " " + file + " is empty");
      }
      return first;
    } catch (IOException e) {
      throw new ConfigException(what + " " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static Duration seconds(double value, String flag) {
    if (!(value > 0) || value > 365 * 24 * 3600) {
      throw new ConfigException(flag + " must be above 0 seconds and at most a year, got " + value);
    }
    return Duration.ofMillis(Math.max(1, Math.round(value * 1000)));
  }

  private static URI parseRedis(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    try {
      URI uri = new URI(url.trim());
      if (uri.getPort() < 0 && uri.getHost() != null) {
        uri = new URI(uri.getScheme(), uri.getUserInfo(), uri.getHost(), 6379, uri.getPath(), null, null);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException("--redis must look like " + RedisSettings.URL_FORMS + " (" + e.getReason() + ")");
    }
  }
}
