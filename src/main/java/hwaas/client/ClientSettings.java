package hwaas.client;

import hwaas.jobs.Job;
import hwaas.jobs.JobContract;
import hwaas.support.ConfigException;
import io.vertx.core.json.JsonObject;

import static hwaas.support.Check.require;

/**
 * The node's own clients.
 *
 * @param count   clients on this node
 * @param rate    jobs each client submits per second
 * @param message what their print jobs print
 */
public record ClientSettings(int count, double rate, String message) {
  public ClientSettings {
    require(count >= 0, "CLIENTS must be 0 or more, got " + count);
    require(rate > 0 && rate <= 1_000_000 && Double.isFinite(rate), "--rate must be above 0 and at most 1000000 per second, got " + rate);
    require(message != null, "--message must not be empty");
    try {
      JobContract.standard().checkPayload(Job.PRINT, new JsonObject().put("message", message));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--message is not a message a print job takes (" + e.getMessage() + ")");
    }
  }

  public static ClientSettings defaults(int count) {
    return new ClientSettings(count, 1.0, "hello, world!");
  }

  public ClientSettings withRate(double rate) {
    return new ClientSettings(count, rate, message);
  }
}
