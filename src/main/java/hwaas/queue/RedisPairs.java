package hwaas.queue;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;

/** Redis replies of the form [name, value, name, value, ...] (RESP2 hashes, XINFO rows, stream entry fields). */
public final class RedisPairs {
  private RedisPairs() {
  }

  /** The pairs as a JSON object of strings (a nil value stays null); empty for a nil reply. */
  public static JsonObject toJson(Response pairs) {
    JsonObject json = new JsonObject();
    for (int i = 0; pairs != null && i + 1 < pairs.size(); i += 2) {
      Response value = pairs.get(i + 1);
      json.put(pairs.get(i).toString(), value == null ? null : value.toString());
    }
    return json;
  }
}
