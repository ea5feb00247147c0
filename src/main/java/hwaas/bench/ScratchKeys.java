package hwaas.bench;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/** The keys a bench row wrote on the scratch Redis, deleted when the row no longer needs them. */
final class ScratchKeys {
  private ScratchKeys() {
  }

  /** Every key matching {@code pattern}, found with SCAN (never KEYS, which blocks Redis) and unlinked a page at a time. */
  static void delete(Redis redis, String pattern) {
    String cursor = "0";
    do {
      var page = redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000)).await();
      cursor = page.get(0).toString();
      if (page.get(1).size() > 0) {
        Request unlink = Request.cmd(Command.UNLINK);
        page.get(1).forEach(key -> unlink.arg(key.toString()));
        redis.send(unlink).await();
      }
    } while (!"0".equals(cursor));
  }
}
