package hwaas.cli;

import hwaas.redis.RedisSettings;
import hwaas.support.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The command-line client's way to a running node's REST API: {@code --api URL} and {@code HWAAS_TOKEN}, or what the
 * local node wrote to its data directory ({@link LocalApi}). Calls block: this runs on the command's own thread.
 */
final class ApiClient {
  /** Options shared by {@code submit}, {@code jobs} and {@code cancel} (a picocli mixin). */
  static final class Options {
    @Option(names = "--api", paramLabel = "URL",
        description = "The node's API, e.g. http://127.0.0.1:8080 (default: the node running on --data-dir)")
    URI api;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Data directory of the local node, where it writes its API's address and token (default: ~/.hwaas/data).")
    Path dataDir;

    ApiClient connect() {
      String envToken = System.getenv("HWAAS_TOKEN");
      if (api != null) {
        if (!"http".equals(api.getScheme()) && !"https".equals(api.getScheme()) || api.getHost() == null) {
          throw new ConfigException("--api must be an http:// or https:// URL such as http://127.0.0.1:8080, got " + api);
        }
        if (envToken == null || envToken.isBlank()) {
          throw new ConfigException("--api needs the node's token in HWAAS_TOKEN");
        }
        return new ApiClient(api, envToken);
      }
      Path dir = dataDir != null ? dataDir : RedisSettings.defaultDataDir();
      try {
        LocalApi.Address local = LocalApi.find(dir).orElseThrow(() -> new Unreachable("no HWaaS node runs on " + dir
            + " (it writes its API's address there when it starts): start one with ./hwaas 2 0, or give --api URL "
            + "and HWAAS_TOKEN"));
        return new ApiClient(local.url(), envToken != null && !envToken.isBlank() ? envToken : local.token());
      } catch (IOException e) {
        throw new Unreachable("cannot read the local node's API address in " + dir + ": " + e.getMessage());
      }
    }
  }

  /** No node answered: exit status 3. */
  static final class Unreachable extends RuntimeException {
    Unreachable(String message) {
      super(message, null, false, false);
    }
  }

  /** The node answered with an error status. */
  static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String token;

  ApiClient(URI base, String token) {
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.token = token;
  }

  JsonObject get(String path, Duration timeout) {
    return send(HttpRequest.newBuilder(uri(path)).GET(), timeout);
  }

  JsonObject post(String path, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    request = body == null ? request.POST(HttpRequest.BodyPublishers.noBody())
        : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    return send(request, Duration.ofSeconds(30));
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private JsonObject send(HttpRequest.Builder request, Duration timeout) {
    request.header("Authorization", "Bearer " + token).timeout(timeout);
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new Unreachable("no HWaaS node answers at " + base + ": start one with ./hwaas 2 0 (or give --api URL)");
    } catch (IOException e) {
      throw new Unreachable("the node at " + base + " did not answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted while waiting for " + base);
    }
    JsonObject json;
    try {
      json = response.body().isBlank() ? new JsonObject() : new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new Refused(response.statusCode(), "the node at " + base + " answered " + response.statusCode()
          + " with something other than JSON; is --api an HWaaS node?");
    }
    if (response.statusCode() >= 400) {
      String detail = json.getString("detail", json.getString("error", "HTTP " + response.statusCode()));
      throw new Refused(response.statusCode(), detail + " (HTTP " + response.statusCode() + ")");
    }
    return json;
  }
}
