package hwaas.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The bench's HTTP load generator: Vert.x's HttpClient over loopback with keep-alive, every loop bounded in requests
 * and time. Closed loop: each connection sends its next request when the last one is answered, as wrk does.
 */
final class HttpLoad implements AutoCloseable {
  /** One request to send: answered with {@code expected}, it counts {@code jobs} jobs. */
  record Call(HttpMethod method, String uri, Buffer body, String idempotencyKey, int expected, int jobs) {
  }

  /** What a run did: latency in microseconds of every answered request, and the first unexpected answer if any. */
  record Outcome(long requests, long jobs, long errors, String firstError, double seconds, Histogram micros) {
    double requestsPerSecond() {
      return requests / seconds;
    }

    double jobsPerSecond() {
      return jobs / seconds;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final int port;
  private final String token;

  HttpLoad(Vertx vertx, int port, String token, int connections) {
    this.vertx = vertx;
    this.port = port;
    this.token = token;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
  }

  /**
   * {@code connections} loops, each sending {@code next.apply(n)} (n counts all requests) after its last answer, until
   * {@code seconds} have passed or {@code maxRequests} were sent.
   */
  Outcome closedLoop(int connections, double seconds, long maxRequests, LongFunction<Call> next) {
    Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    AtomicLong sent = new AtomicLong();
    AtomicLong requests = new AtomicLong();
    AtomicLong jobs = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    Promise<Void> done = Promise.promise();
    AtomicLong running = new AtomicLong(connections);
    for (int c = 0; c < connections; c++) {
      vertx.runOnContext(v -> loop(next, sent, maxRequests, deadline, micros, requests, jobs, errors, firstError, () -> {
        if (running.decrementAndGet() == 0) {
          done.complete();
        }
      }));
    }
    awaitBounded(done.future(), (long) (seconds * 1000) + 60_000);
    return new Outcome(requests.get(), jobs.get(), errors.get(), firstError.get(), (System.nanoTime() - start) / 1e9, micros);
  }

  private void loop(LongFunction<Call> next, AtomicLong sent, long maxRequests, long deadline, Histogram micros,
                    AtomicLong requests, AtomicLong jobs, AtomicLong errors, AtomicReference<String> firstError, Runnable finished) {
    long n = sent.getAndIncrement();
    if (n >= maxRequests || System.nanoTime() >= deadline) {
      finished.run();
      return;
    }
    Call call = next.apply(n);
    long began = System.nanoTime();
    send(call).onComplete(ar -> {
      synchronized (micros) {
        micros.recordValue(Math.min(micros.getHighestTrackableValue(), (System.nanoTime() - began) / 1_000));
      }
      if (ar.succeeded() && ar.result() == call.expected()) {
        requests.incrementAndGet();
        jobs.addAndGet(call.jobs());
      } else {
        errors.incrementAndGet();
        firstError.compareAndSet(null, call.method() + " " + call.uri() + ": "
            + (ar.succeeded() ? "status " + ar.result() : ar.cause().toString()));
      }
      loop(next, sent, maxRequests, deadline, micros, requests, jobs, errors, firstError, finished);
    });
  }

  /** Waits for a future of the bench, failing with what it waited for after {@code millis}. */
  static <T> T awaitBounded(Future<T> future, long millis) {
    try {
      return future.await(millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the load did not finish within " + millis + " ms", e);
    }
  }

  /** Sends one request and answers its status, once its body has been read. */
  Future<Integer> send(Call call) {
    return exchange(call, response -> response.body().map(body -> response.statusCode()));
  }

  /** Sends one request and answers its body, for the few calls whose answer the bench reads. */
  Future<Buffer> fetch(Call call) {
    return exchange(call, response -> response.statusCode() == call.expected() ? response.body()
        : response.body().transform(ar -> Future.failedFuture(call.method() + " " + call.uri() + ": status "
        + response.statusCode() + (ar.succeeded() ? " " + ar.result() : ""))));
  }

  /**
   * Sends the request and reads its response with {@code read}, composed inside the request's own future: the bench
   * also calls from its main thread, and there a {@code .compose(response -> response.body())} chained outside runs
   * later, on another thread, while the connection's event loop may already have taken the whole body in; that body
   * is then lost and the future never completes (eclipse-vertx/vert.x#4705). Seen as pages "unanswered for 30 s"
   * while the node answered the same page to curl in 18 ms.
   */
  private <T> Future<T> exchange(Call call, Function<HttpClientResponse, Future<T>> read) {
    return client.request(options(call))
        .compose(request -> (call.body() == null ? request.send() : request.send(call.body())).compose(read));
  }

  private RequestOptions options(Call call) {
    RequestOptions options = new RequestOptions().setMethod(call.method()).setHost("127.0.0.1").setPort(port)
        .setURI(call.uri()).putHeader("Authorization", "Bearer " + token);
    if (call.body() != null) {
      options.putHeader("Content-Type", "application/json");
    }
    if (call.idempotencyKey() != null) {
      options.putHeader("Idempotency-Key", call.idempotencyKey());
    }
    return options;
  }

  @Override
  public void close() {
    client.close().await();
  }
}
