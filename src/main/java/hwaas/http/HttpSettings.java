package hwaas.http;

import java.security.SecureRandom;
import java.util.HexFormat;

import static hwaas.support.Check.require;

/**
 * The node's HTTP server.
 *
 * @param port  {@link #AUTO_PORT}: 8080, or the next free port after it; 0 picks any free port
 * @param token bearer token every write request of the REST API must carry
 */
public record HttpSettings(String host, int port, String token) {
  /** HTTP port not given: 8080, or the next free one. */
  public static final int AUTO_PORT = -1;
  public static final int DEFAULT_PORT = 8080;

  public HttpSettings {
    require(port == AUTO_PORT || (port >= 0 && port <= 65535), "--http-port must be between 0 and 65535, got " + port);
    require(host != null && !host.isBlank(), "--http-host must not be empty");
    require(token != null && token.length() >= 16 && token.chars().allMatch(c -> c > 32 && c < 127),
        "HWAAS_TOKEN must be at least 16 printable characters without spaces");
  }

  public static HttpSettings defaults() {
    return new HttpSettings("127.0.0.1", AUTO_PORT, randomToken());
  }

  /** 128 random bits in hex: what the API token is when HWAAS_TOKEN does not set one. */
  public static String randomToken() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public HttpSettings withPort(int port) {
    return new HttpSettings(host, port, token);
  }

  public HttpSettings withToken(String token) {
    return new HttpSettings(host, port, token);
  }

  public String url() {
    return "http://" + host + ":" + port + "/";
  }
}
