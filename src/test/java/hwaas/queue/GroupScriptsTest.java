package hwaas.queue;

import hwaas.node.NodeSettings;
import hwaas.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The group changes that must check and act in one step, against the real Redis. */
@ExtendWith(VertxExtension.class)
class GroupScriptsTest {
  private Redis redis;
  private RedisConnection connection;
  private String stream;

  @BeforeEach
  void stream(Vertx vertx) throws Exception {
    NodeSettings settings = TestConfigs.local(0, 0, 1);
    redis = Redis.createClient(vertx, settings.redis().options());
    connection = redis.connect().await(5, TimeUnit.SECONDS);
    stream = settings.queue().keys().stream("print");
    StreamGroup.ensure(redis, stream).await(5, TimeUnit.SECONDS);
    for (int i = 0; i < 3; i++) {
      send(Request.cmd(Command.XADD).arg(stream).arg("*").arg("jobs").arg("[]"));
    }
  }

  @AfterEach
  void close() {
    connection.close();
    redis.close();
  }

  @Test
  @DisplayName("a consumer that holds an entry is never deleted; once it holds nothing, it is")
  void leaveOnlyWhenIdle() throws Exception {
    List<String> read = read("a", 1);
    assertFalse(GroupScripts.leaveIfIdle(redis, stream, "a").await(5, TimeUnit.SECONDS));
    assertTrue(consumers().contains("a"));
    assertEquals(1, pendingOf(read.get(0)).get(3).toLong(), "the entry is still pending, delivered once");

    send(Request.cmd(Command.XACK).arg(stream).arg(StreamKeys.GROUP).arg(read.get(0)));
    assertTrue(GroupScripts.leaveIfIdle(connection, stream, "a").await(5, TimeUnit.SECONDS));
    assertFalse(consumers().contains("a"));
  }

  @Test
  @DisplayName("held-back entries are kept only if still ours: one another worker claimed stays with it, and no delivery is counted")
  void keepWithoutStealing() throws Exception {
    List<String> read = read("a", 2);
    send(Request.cmd(Command.XCLAIM).arg(stream).arg(StreamKeys.GROUP).arg("b").arg(0).arg(read.get(1)));

    List<String> kept = GroupScripts.keepIfMine(connection, stream, "a", read).await(5, TimeUnit.SECONDS);

    assertEquals(List.of(read.get(0)), kept);
    assertEquals("a", pendingOf(read.get(0)).get(1).toString());
    assertEquals(1, pendingOf(read.get(0)).get(3).toLong(), "keeping counts no delivery");
    assertEquals("b", pendingOf(read.get(1)).get(1).toString(), "the entry b claimed was taken back");
  }

  @Test
  @DisplayName("an entry given back is uncounted and claimable at once")
  void giveBackUncounted() throws Exception {
    List<String> read = read("a", 1);
    assertEquals(1, GroupScripts.giveBack(redis, stream, "a", 60_000, read).await(5, TimeUnit.SECONDS));
    Response row = pendingOf(read.get(0));
    assertEquals(0, row.get(3).toLong(), "the delivery was not counted");
    assertTrue(row.get(2).toLong() >= 60_000, "idle long enough for any worker to claim it: " + row.get(2));
  }

  private List<String> read(String consumer, int count) throws Exception {
    Response reply = send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(StreamKeys.GROUP).arg(consumer)
        .arg("COUNT").arg(count).arg("STREAMS").arg(stream).arg(">"));
    return reply.get(0).get(1).stream().map(e -> e.get(0).toString()).toList();
  }

  // XPENDING row: [id, consumer, idle ms, deliveries]
  private Response pendingOf(String id) throws Exception {
    return send(Request.cmd(Command.XPENDING).arg(stream).arg(StreamKeys.GROUP).arg(id).arg(id).arg(1)).get(0);
  }

  private List<String> consumers() throws Exception {
    return send(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream).arg(StreamKeys.GROUP)).stream()
        .map(row -> RedisPairs.toJson(row).getString("name")).toList();
  }

  private Response send(Request request) throws Exception {
    return redis.send(request).await(5, TimeUnit.SECONDS);
  }
}
