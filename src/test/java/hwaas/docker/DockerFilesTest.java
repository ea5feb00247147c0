package hwaas.docker;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container files cannot run on a machine without a Docker engine: they are read here, so that what they
 * promise (no default secret, loopback publishing, a password on Redis, health checks, restarts) stays true.
 */
class DockerFilesTest {
  private static final Path DOCKER = Path.of(System.getProperty("hwaas.home", "."), "docker");

  @Test
  @DisplayName("compose: no default token or Redis password, the API published on 127.0.0.1 only, restarts, Redis with a password")
  @SuppressWarnings("unchecked")
  void composeIsClosedByDefault() throws Exception {
    String text = Files.readString(DOCKER.resolve("compose.yaml"));
    Map<String, Object> compose = new Yaml().load(text);
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    for (String name : List.of("seed", "node")) {
      Map<String, Object> service = services.get(name);
      Map<String, String> env = (Map<String, String>) service.get("environment");
      assertTrue(env.get("HWAAS_TOKEN").startsWith("${HWAAS_TOKEN:?"), name + " must require HWAAS_TOKEN: " + env);
      assertTrue(env.get("HWAAS_REDIS_PASSWORD").startsWith("${REDIS_PASSWORD:?"), name + " must require REDIS_PASSWORD");
      assertTrue(String.valueOf(service.get("restart")).startsWith("unless-stopped"), name);
      for (Object port : (List<Object>) service.getOrDefault("ports", List.of())) {
        assertTrue(String.valueOf(port).startsWith("127.0.0.1:"), name + " publishes beyond this machine: " + port);
      }
    }
    assertTrue(services.get("seed").containsKey("ports"), "the seed serves the API");
    assertTrue(String.valueOf(services.get("redis").get("command")).contains("--requirepass"), "Redis without a password");
    assertFalse(text.contains("change-me"), "a default secret is back");
  }

  @Test
  @DisplayName("image: a non-root user, a health check on /ready; entry point: refuses to start without a token")
  void imageChecksItsHealthAndNeedsAToken() throws Exception {
    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("USER hwaas"));
    assertTrue(dockerfile.lines().anyMatch(l -> l.startsWith("HEALTHCHECK")) && dockerfile.contains("/ready"), dockerfile);
    String entrypoint = Files.readString(DOCKER.resolve("entrypoint.sh"));
    assertTrue(entrypoint.contains("HWAAS_TOKEN_FILE") && entrypoint.contains("exit 2"), entrypoint);
    assertTrue(entrypoint.contains("--redis-password-file"), "the Redis password must not go on the command line");
  }

  @Test
  @DisplayName("compose with Sentinel: three servers, three sentinels, nodes on a redis-sentinel URL confirming on a replica, no default secret")
  @SuppressWarnings("unchecked")
  void composeWithSentinel() throws Exception {
    String text = Files.readString(DOCKER.resolve("compose-sentinel.yaml"));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) ((Map<String, Object>) new Yaml().load(text)).get("services");
    for (String name : List.of("sentinel-1", "sentinel-2", "sentinel-3")) {
      String command = String.valueOf(services.get(name).get("command"));
      assertTrue(command.contains("--sentinel") && command.contains("sentinel monitor hwaas redis-primary 6379 2"), name + ": " + command);
      assertTrue(command.contains("requirepass $$REDIS_PASSWORD"), name + " without a password");
    }
    for (String name : List.of("redis-replica-1", "redis-replica-2")) {
      assertTrue(String.valueOf(services.get(name).get("command")).contains("--replicaof redis-primary 6379"), name);
    }
    for (String name : List.of("redis-primary", "redis-replica-1", "redis-replica-2")) {
      String command = String.valueOf(services.get(name).get("command"));
      assertTrue(command.contains("--requirepass") && command.contains("--masterauth") && command.contains("--appendonly yes"), name);
    }
    for (String name : List.of("seed", "node")) {
      Map<String, Object> service = services.get(name);
      Map<String, String> env = (Map<String, String>) service.get("environment");
      assertEquals("redis-sentinel://sentinel-1:26379,sentinel-2:26379,sentinel-3:26379/hwaas", env.get("HWAAS_REDIS"));
      assertTrue(env.get("HWAAS_TOKEN").startsWith("${HWAAS_TOKEN:?") && env.get("HWAAS_REDIS_PASSWORD").startsWith("${REDIS_PASSWORD:?"), name);
      assertTrue(String.valueOf(service.get("command")).contains("--redis-replicas, 1"), name + ": " + service.get("command"));
      for (Object port : (List<Object>) service.getOrDefault("ports", List.of())) {
        assertTrue(String.valueOf(port).startsWith("127.0.0.1:"), name + " publishes beyond this machine: " + port);
      }
    }
    // The URL the nodes use must be one they accept.
    hwaas.redis.SentinelAddress.parse(java.net.URI.create("redis-sentinel://sentinel-1:26379,sentinel-2:26379,sentinel-3:26379/hwaas"));
  }

  @Test
  @DisplayName("Kubernetes: discovery through a headless service the pods may read, HTTP behind a Service, readiness on /ready, "
      + "Redis from the Bitnami chart with Sentinel under the master name the nodes ask for")
  @SuppressWarnings("unchecked")
  void kubernetesManifests() throws Exception {
    Map<String, Map<String, Object>> byName = new java.util.HashMap<>();
    for (Object doc : new Yaml().loadAll(Files.readString(DOCKER.resolve("k8s/hwaas.yaml")))) {
      Map<String, Object> object = (Map<String, Object>) doc;
      byName.put(object.get("kind") + "/" + ((Map<String, Object>) object.get("metadata")).get("name"), object);
    }
    Map<String, Object> headless = (Map<String, Object>) byName.get("Service/hwaas-hazelcast").get("spec");
    assertEquals("None", headless.get("clusterIP"));
    assertEquals(true, headless.get("publishNotReadyAddresses"));
    Map<String, Object> http = (Map<String, Object>) byName.get("Service/hwaas").get("spec");
    assertEquals("http", ((List<Map<String, Object>>) http.get("ports")).get(0).get("targetPort"));
    assertTrue(String.valueOf(byName.get("Role/hwaas-discovery").get("rules")).contains("endpoints"));

    Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) byName.get("Deployment/hwaas").get("spec"))
        .get("template")).get("spec");
    assertEquals("hwaas", pod.get("serviceAccountName"));
    Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
    Map<String, Object> readiness = (Map<String, Object>) ((Map<String, Object>) container.get("readinessProbe")).get("httpGet");
    assertEquals("/ready", readiness.get("path"));
    Map<String, Object> env = new java.util.HashMap<>();
    for (Map<String, Object> variable : (List<Map<String, Object>>) container.get("env")) {
      env.put((String) variable.get("name"), variable.containsKey("value") ? variable.get("value") : variable.get("valueFrom"));
    }
    assertTrue(String.valueOf(env.get("HWAAS_JAVA_OPTS")).contains("-Dhwaas.kubernetes.service=hwaas-hazelcast"));
    assertTrue(String.valueOf(env.get("HWAAS_TOKEN")).contains("secretKeyRef"), "the token comes from a Secret");
    assertTrue(String.valueOf(env.get("HWAAS_REDIS_PASSWORD")).contains("secretKeyRef"), "the Redis password comes from a Secret");
    String url = String.valueOf(env.get("HWAAS_REDIS"));
    hwaas.redis.SentinelAddress address = hwaas.redis.SentinelAddress.parse(java.net.URI.create(url));

    Map<String, Object> values = new Yaml().load(Files.readString(DOCKER.resolve("k8s/redis-values.yaml")));
    Map<String, Object> sentinel = (Map<String, Object>) values.get("sentinel");
    assertEquals(true, sentinel.get("enabled"));
    assertEquals(address.masterName(), sentinel.get("masterSet"), "the nodes ask the sentinels for another master");
    assertTrue(String.valueOf(values.get("commonConfiguration")).contains("maxmemory-policy noeviction"));
    assertTrue(url.startsWith("redis-sentinel://redis.hwaas.svc.cluster.local:26379/"), url);
  }
}
