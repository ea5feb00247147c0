package hwaas.testing;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for a node's REST API (the JDK's own client: nothing of the server side is reused). */
public final class Api {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  public record Reply(int status, JsonObject json, String body, HttpResponse<String> raw) {
  }

  public Api(int port, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  /** A read with this client's token (every read of the API needs one). */
  public Reply get(String path) throws IOException, InterruptedException {
    return get(path, token);
  }

  /** A read with the given token; {@code null} sends none. */
  public Reply get(String path, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return send(request);
  }

  public Reply delete(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().header("Authorization", "Bearer " + token));
  }

  public Reply put(String path, String json) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token));
  }

  public Reply post(String path, String json) throws IOException, InterruptedException {
    return post(path, json, "application/json", token);
  }

  public Reply post(String path, String body, String contentType, String bearer, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonObject json = null;
    if (response.body().startsWith("{")) {
      json = new JsonObject(response.body());
    }
    return new Reply(response.statusCode(), json, response.body(), response);
  }
}
