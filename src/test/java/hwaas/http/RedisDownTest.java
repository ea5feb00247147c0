package hwaas.http;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.redis.EmbeddedRedis;
import hwaas.redis.RedisSettings;
import hwaas.support.Printer;
import hwaas.testing.Api;
import hwaas.testing.Capture;
import hwaas.testing.Poll;
import hwaas.testing.TestConfigs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API while its Redis is gone: 503 with Retry-After that names Redis, not a 500 that blames the API. */
class RedisDownTest {
  private static final String TOKEN = "redis-down-token";

  @Test
  @DisplayName("with its Redis stopped, reads and submissions answer 503 with Retry-After and say Redis is unavailable; once it is back, both work again")
  void redisGoneIsUnavailableNotInternal() throws Exception {
    Path dir = Path.of("target", "redis-down", UUID.randomUUID().toString());
    EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"), "everysec");
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(0, 0, 1), TOKEN);
    NodeSettings settings = local.withRedis(RedisSettings.defaults().withUrl(redis.url()));
    try (Printer printer = new Printer(new Capture(), () -> { })) {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      try {
        Api api = new Api(node.httpPort(), TOKEN);
        assertEquals(404, api.get("/api/jobs/api-unknown").status(), "Redis up: an unknown job");
        redis.close();

        for (int i = 0; i < 3; i++) { // the first sees a connection closed, the next ones a connection refused
          Api.Reply read = api.get("/api/jobs/api-unknown");
          assertEquals(503, read.status(), read.body());
          assertTrue(read.json().getString("detail").startsWith("Redis is unavailable"), read.body());
          assertEquals("1", read.raw().headers().firstValue("Retry-After").orElse(null));
        }
        Api.Reply submit = api.post("/api/jobs", "{\"type\":\"print\",\"payload\":{\"message\":\"x\"},\"client\":\"c\"}");
        assertEquals(503, submit.status(), submit.body());
        assertTrue(submit.raw().headers().firstValue("Retry-After").isPresent(), submit.body());

        // Redis back on the same address: reads and submissions work again, with no restart of the node.
        EmbeddedRedis again = EmbeddedRedis.start(dir.resolve("redis"), "everysec", redis.url().getPort());
        try {
          assertEquals(redis.url(), again.url(), "Redis came back elsewhere");
          Poll.until(Duration.ofSeconds(10), "reads to work again", () -> status(api, "/api/jobs/api-unknown") == 404);
          Api.Reply taken = api.post("/api/jobs", "{\"type\":\"print\",\"payload\":{\"message\":\"x\"},\"client\":\"c\"}");
          assertEquals(202, taken.status(), taken.body());
          assertEquals(200, status(api, "/api/jobs/" + taken.json().getString("id")));
        } finally {
          again.close();
        }
      } finally {
        node.stop();
      }
    } finally {
      redis.close();
    }
  }

  private static int status(Api api, String path) {
    try {
      return api.get(path).status();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
