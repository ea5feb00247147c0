package hwaas.work;

import hwaas.redis.RedisSettings;
import hwaas.testing.Api;
import hwaas.testing.RawRedis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * External workers while Redis is at its memory limit: the jobs it holds are still failed and completed, with their
 * records (the scripts that finish work may pass the limit), while new jobs are refused.
 */
class ExternalRedisFullTest {
  private static final String TOKEN = "external-full-token";

  @Test
  @DisplayName("with Redis full, a leased job's fail is recorded (failed, with its error) and another's complete too")
  void failAndCompleteWhileFull() throws Exception {
    Path dir = Path.of("target", "external-full", UUID.randomUUID().toString());
    ReverseNode reverse = ReverseNode.start(TOKEN, s -> s.withRedis(new RedisSettings(null, dir.resolve("data"), "everysec",
        null, RedisSettings.DEFAULT_MAX_MEMORY, false, null)));
    URI redis = reverse.node.settings().redis().url();
    String auth = "AUTH " + redis.getUserInfo().substring(1);
    try {
      Api api = reverse.api;
      String toFail = reverse.submit("to fail", "single");
      String toComplete = reverse.submit("to complete", "single");
      JsonArray jobs = api.post("/api/work/" + ReverseNode.TYPE + "/fetch", "{\"max\":2,\"wait\":1}").json().getJsonArray("jobs");
      assertEquals(2, jobs.size(), jobs.encode());
      JsonObject failing = jobs.getJsonObject(0);
      JsonObject completing = jobs.getJsonObject(1);
      assertEquals(toFail, failing.getString("id"), jobs.encode());
      assertEquals(toComplete, completing.getString("id"), jobs.encode());

      // Full: every command that may add memory is refused from now on, unless a script may pass the limit.
      assertEquals("+OK", RawRedis.say(redis.getPort(), List.of(auth, "CONFIG SET maxmemory 1")).get(1));
      Api.Reply refused = api.post("/api/jobs", reverse.request("new", "single").encode());
      assertEquals(503, refused.status(), refused.body());
      assertTrue(refused.json().getString("detail").contains("memory limit"), refused.body());

      Api.Reply failed = api.post("/api/work/" + failing.getString("lease") + "/fail", "{\"error\":\"no room, no luck\"}");
      assertEquals(200, failed.status(), failed.body());
      JsonObject record = reverse.job(toFail);
      assertEquals("failed", record.getString("status"), record.encode());
      assertEquals("no room, no luck", record.getString("error"), record.encode());

      Api.Reply completed = api.post("/api/work/" + completing.getString("lease") + "/complete",
          "{\"result\":{\"reversed\":\"done\"}}");
      assertEquals(200, completed.status(), completed.body());
      record = reverse.job(toComplete);
      assertEquals("completed", record.getString("status"), record.encode());
      assertEquals(new JsonObject().put("reversed", "done"), record.getJsonObject("result"), record.encode());
    } finally {
      RawRedis.say(redis.getPort(), List.of(auth, "CONFIG SET maxmemory " + RedisSettings.DEFAULT_MAX_MEMORY));
      ReverseNode.stop(reverse);
    }
  }
}
