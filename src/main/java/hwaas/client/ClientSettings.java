package hwaas.client;

import java.nio.charset.StandardCharsets;

import static hwaas.support.Check.require;

/**
 * The node's own clients.
 *
 * @param count   clients on this node
 * @param rate    jobs each client submits per second
 * @param message what their print jobs print
 */
public record ClientSettings(int count, double rate, String message) {
  public static final int MAX_MESSAGE_BYTES = 4096;

  public ClientSettings {
    require(count >= 0, "CLIENTS must be 0 or more, got " + count);
    require(rate > 0 && rate <= 1_000_000 && Double.isFinite(rate), "--rate must be above 0 and at most 1000000 per second, got " + rate);
    require(message != null && !message.isEmpty(), "--message must not be empty");
    require(message.getBytes(StandardCharsets.UTF_8).length <= MAX_MESSAGE_BYTES,
        "--message must be at most " + MAX_MESSAGE_BYTES + " bytes");
    require(message.indexOf('\n') < 0 && message.indexOf('\r') < 0, "--message must be one line (no newline)");
  }

  public static ClientSettings defaults(int count) {
    return new ClientSettings(count, 1.0, "hello, world!");
  }

  public ClientSettings withRate(double rate) {
    return new ClientSettings(count, rate, message);
  }
}
