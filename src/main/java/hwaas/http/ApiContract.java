package hwaas.http;

import java.time.Duration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The REST contract ({@code openapi.yaml} in the jar), with this node's limits written in: the document that
 * validates every request is the one {@code GET /api/openapi.yaml} serves.
 */
record ApiContract(String yaml, OpenAPIContract contract) {
  private static final String MAX_SLEEP_LINE = "maximum: 60 # max-sleep: the node writes its --max-sleep here";

  static Future<ApiContract> load(Vertx vertx, Duration maxSleep) {
    String yaml;
    try (InputStream in = ApiContract.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        return Future.failedFuture("openapi.yaml is missing from the jar");
      }
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    if (!yaml.contains(MAX_SLEEP_LINE)) {
      return Future.failedFuture("openapi.yaml lost its max-sleep line: " + MAX_SLEEP_LINE);
    }
    String limited = yaml.replace(MAX_SLEEP_LINE, String.format(Locale.ROOT, "maximum: %s # --max-sleep",
        maxSleep.toMillis() / 1000.0));
    JsonObject json = new JsonObject(Json.encode(new Yaml().load(limited)));
    return OpenAPIContract.from(vertx, json).map(contract -> new ApiContract(limited, contract));
  }
}
