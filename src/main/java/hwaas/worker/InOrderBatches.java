package hwaas.worker;

import io.vertx.core.Future;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Sends a long list of Redis commands as consecutive batches of at most {@link #MAX_COMMANDS}, each after the last has
 * answered, so their order holds (records before acknowledgements) and no batch outgrows the client's queue of
 * waiting replies (a read of 32 entries of 1000 API jobs makes tens of thousands of commands).
 */
final class InOrderBatches {
  static final int MAX_COMMANDS = 4096;

  private InOrderBatches() {
  }

  /** The replies of all the commands, in order; fails with the first batch that fails (the later are not sent). */
  static Future<List<Response>> send(List<Request> requests, Function<List<Request>, Future<List<Response>>> batch) {
    if (requests.size() <= MAX_COMMANDS) {
      return requests.isEmpty() ? Future.succeededFuture(List.of()) : batch.apply(requests);
    }
    List<Response> replies = new ArrayList<>(requests.size());
    Future<Void> sent = Future.succeededFuture();
    for (int from = 0; from < requests.size(); from += MAX_COMMANDS) {
      List<Request> slice = requests.subList(from, Math.min(requests.size(), from + MAX_COMMANDS));
      sent = sent.compose(v -> batch.apply(slice).map(answers -> {
        replies.addAll(answers);
        return null;
      }));
    }
    return sent.map(v -> replies);
  }
}
