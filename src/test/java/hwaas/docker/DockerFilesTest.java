package hwaas.docker;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
}
