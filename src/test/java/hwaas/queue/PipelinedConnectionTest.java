package hwaas.queue;

import hwaas.redis.EmbeddedRedis;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shared connection to a primary that was turned into a replica answers every write with READONLY and stays open
 * (checked on the embedded redis-server: {@code REPLICAOF} closes no client). It must connect again, or every write
 * after such a failover fails for as long as the connection lives.
 */
@ExtendWith(VertxExtension.class)
class PipelinedConnectionTest {
  private final Path dir = Path.of("target", "pipelined", UUID.randomUUID().toString());
  private EmbeddedRedis first;
  private EmbeddedRedis second;
  private Redis firstClient;
  private Redis secondClient;

  @BeforeEach
  void servers(Vertx vertx) {
    first = EmbeddedRedis.start(dir.resolve("first"), "everysec");
    second = EmbeddedRedis.start(dir.resolve("second"), "everysec");
    firstClient = Redis.createClient(vertx, first.url().toString());
    secondClient = Redis.createClient(vertx, second.url().toString());
  }

  @AfterEach
  void stop() {
    firstClient.close();
    secondClient.close();
    first.close();
    second.close();
  }

  @Test
  @DisplayName("a write answered READONLY (a primary turned replica) drops the connection: the next one goes where the connector points now")
  void readOnlyReplyConnectsAgain(Vertx vertx) throws Exception {
    Context loop = vertx.getOrCreateContext();
    AtomicInteger connects = new AtomicInteger();
    // The first connection goes to the first server; every later one to the second, as a client that asks the
    // sentinels would after the failover.
    PipelinedConnection shared = new PipelinedConnection(
        () -> connects.getAndIncrement() == 0 ? firstClient.connect() : secondClient.connect());
    await(loop, () -> shared.send(Request.cmd(Command.SET).arg("k").arg("1")));
    RedisConnection admin = firstClient.connect().await(5, TimeUnit.SECONDS);
    admin.send(Request.cmd(Command.REPLICAOF).arg("127.0.0.1").arg(second.url().getPort())).await(5, TimeUnit.SECONDS);
    admin.close();

    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> await(loop, () -> shared.batch(List.of(Request.cmd(Command.SET).arg("k").arg("2")))));
    assertTrue(String.valueOf(refused.getCause().getMessage()).contains("READONLY"), refused.getCause().toString());
    await(loop, () -> shared.send(Request.cmd(Command.SET).arg("k").arg("3")));

    assertEquals(2, connects.get(), "one connection before the READONLY, one after");
    assertEquals("3", secondClient.send(Request.cmd(Command.GET).arg("k")).await(5, TimeUnit.SECONDS).toString(),
        "the write after the READONLY reached the server the connector names now");
    await(loop, shared::close);
  }

  /** Runs {@code call} on the event loop, as the verticles do (the connection is used from one event loop only). */
  private static <T> T await(Context context, Supplier<Future<T>> call) throws Exception {
    CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(v -> call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result.get(10, TimeUnit.SECONDS);
  }
}
