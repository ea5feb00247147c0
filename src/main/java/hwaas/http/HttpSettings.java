package hwaas.http;

import hwaas.support.Loopback;

import java.security.SecureRandom;
import java.util.HexFormat;

import static hwaas.support.Check.require;

/**
 * The node's HTTP server and who may use it. The tokens are secrets: {@link #toString()} does not show them.
 *
 * @param port          {@link #AUTO_PORT}: 8080, or the next free port after it; 0 picks any free port
 * @param token         the admin token: reads and writes of the REST API, the bridge, metrics
 * @param readToken     a read-only token for viewers ({@code null}: none)
 * @param metricsPublic {@code /metrics} without a token, for a scraper on a trusted network
 * @param generatedToken the node made the admin token up at start: the banner shows it once, as nobody else knows it;
 *                       a token the operator gave is never printed
 */
public record HttpSettings(String host, int port, String token, String readToken, boolean metricsPublic,
                           boolean generatedToken) {
  /** HTTP port not given: 8080, or the next free one. */
  public static final int AUTO_PORT = -1;
  public static final int DEFAULT_PORT = 8080;

  public HttpSettings {
    require(port == AUTO_PORT || (port >= 0 && port <= 65535), "--http-port must be between 0 and 65535, got " + port);
    require(host != null && !host.isBlank(), "--http-host must not be empty");
    require(wellFormed(token), "HWAAS_TOKEN must be at least 16 printable characters without spaces");
    require(readToken == null || wellFormed(readToken), "HWAAS_READ_TOKEN must be at least 16 printable characters without spaces");
    require(readToken == null || !readToken.equals(token), "HWAAS_READ_TOKEN must differ from HWAAS_TOKEN");
  }

  private static boolean wellFormed(String token) {
    return token != null && token.length() >= 16 && token.chars().allMatch(c -> c > 32 && c < 127);
  }

  public static HttpSettings defaults() {
    return new HttpSettings("127.0.0.1", AUTO_PORT, randomToken(), null, false, true);
  }

  /** 128 random bits in hex: what the API token is when HWAAS_TOKEN does not set one. */
  public static String randomToken() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public HttpSettings withPort(int port) {
    return new HttpSettings(host, port, token, readToken, metricsPublic, generatedToken);
  }

  public HttpSettings withToken(String token) {
    return new HttpSettings(host, port, token, readToken, metricsPublic, false);
  }

  public HttpSettings withReadToken(String readToken) {
    return new HttpSettings(host, port, token, readToken, metricsPublic, generatedToken);
  }

  /** Whether the server listens on loopback only, where it checks the Host header against DNS rebinding. */
  public boolean loopback() {
    return Loopback.is(host);
  }

  @Override
  public String toString() {
    return "HttpSettings[host=" + host + ", port=" + port + ", token=***, readToken=" + (readToken == null ? "none" : "***")
        + ", metricsPublic=" + metricsPublic + "]";
  }

  public String url() {
    return "http://" + host + ":" + port + "/";
  }
}
