package hwaas.queue;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * Changes to a consumer group that must see and act on the pending list in one step: a claim landing between a
 * check and the change it guards would otherwise be lost (a consumer deleted with an entry) or stolen (an entry
 * taken back from the worker that just claimed it). Each is one Lua script, atomic in Redis.
 */
public final class GroupScripts {
  // KEYS[1]: stream; ARGV[1]: group, ARGV[2]: consumer. Deletes the consumer only if it holds nothing.
  private static final String LEAVE_IF_IDLE = String.join("\n",
      "if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end",
      "redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])",
      "return 1");
  // KEYS[1]: stream; ARGV[1]: group, ARGV[2]: consumer, ARGV[3..]: entry ids. Resets the idle time of the entries
  // this consumer still holds (no delivery counted) and returns their ids; entries another consumer took are left.
  private static final String KEEP_IF_MINE = String.join("\n",
      "local mine = {}",
      "for i = 3, #ARGV do",
      "  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)",
      "  if #p == 1 and p[1][2] == ARGV[2] then mine[#mine + 1] = ARGV[i] end",
      "end",
      "if #mine > 0 then redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(mine), 'JUSTID') end",
      "return mine");
  // KEYS[1]: stream; ARGV[1]: group, ARGV[2]: consumer, ARGV[3]: idle ms to show, ARGV[4..]: entry ids. Gives back
  // entries this consumer holds but could not run through no fault of theirs: their delivery is not counted and
  // they look idle long enough for another worker to claim them at once.
  private static final String GIVE_BACK = String.join("\n",
      "local given = 0",
      "for i = 4, #ARGV do",
      "  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)",
      "  if #p == 1 and p[1][2] == ARGV[2] then",
      "    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'IDLE', ARGV[3], 'RETRYCOUNT', math.max(0, p[1][4] - 1), 'JUSTID')",
      "    given = given + 1",
      "  end",
      "end",
      "return given");

  private GroupScripts() {
  }

  /** Deletes {@code consumer} from the group if, and only if, it holds no entry; true if it was deleted. */
  public static Future<Boolean> leaveIfIdle(Redis redis, String stream, String consumer) {
    return redis.send(eval(LEAVE_IF_IDLE, stream, StreamKeys.GROUP, consumer)).map(r -> r.toInteger() == 1);
  }

  /** As {@link #leaveIfIdle(Redis, String, String)}, on a connection of one's own. */
  public static Future<Boolean> leaveIfIdle(RedisConnection connection, String stream, String consumer) {
    return connection.send(eval(LEAVE_IF_IDLE, stream, StreamKeys.GROUP, consumer)).map(r -> r.toInteger() == 1);
  }

  /** Of {@code ids}, those {@code consumer} still holds, their idle time reset (no delivery counted). */
  public static Future<List<String>> keepIfMine(RedisConnection connection, String stream, String consumer, List<String> ids) {
    Request keep = eval(KEEP_IF_MINE, stream, StreamKeys.GROUP, consumer);
    ids.forEach(keep::arg);
    return connection.send(keep).map(GroupScripts::strings);
  }

  /** As {@link #keepIfMine(RedisConnection, String, String, List)}, through a pooled client. */
  public static Future<List<String>> keepIfMine(Redis redis, String stream, String consumer, List<String> ids) {
    Request keep = eval(KEEP_IF_MINE, stream, StreamKeys.GROUP, consumer);
    ids.forEach(keep::arg);
    return redis.send(keep).map(GroupScripts::strings);
  }

  /** Gives back the entries {@code consumer} holds of {@code ids}, uncounted and claimable at once; how many it gave. */
  public static Future<Integer> giveBack(Redis redis, String stream, String consumer, long idleMillis, List<String> ids) {
    Request give = eval(GIVE_BACK, stream, StreamKeys.GROUP, consumer).arg(idleMillis);
    ids.forEach(give::arg);
    return redis.send(give).map(Response::toInteger);
  }

  private static Request eval(String script, String stream, String group, String consumer) {
    return Request.cmd(Command.EVAL).arg(script).arg(1).arg(stream).arg(group).arg(consumer);
  }

  private static List<String> strings(Response list) {
    List<String> out = new ArrayList<>();
    if (list != null) {
      list.forEach(r -> out.add(r.toString()));
    }
    return out;
  }
}
