package hwaas.cli;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.node.Summary;
import hwaas.support.ConfigException;
import hwaas.redis.RedisStartException;
import hwaas.support.Printer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one node on the main thread until Ctrl-C, SIGTERM, --duration or a closed standard output, then stops it
 * gracefully and prints the summary line.
 */
final class NodeRun {
  private static final Logger log = LoggerFactory.getLogger(NodeRun.class);

  private NodeRun() {
  }

  static int run(NodeSettings settings, Duration duration, CommandLine command) {
    PrintStream err = System.err;
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    // Registered before anything starts: Ctrl-C or SIGTERM during start-up must still stop what was started
    // (an embedded Redis above all). The hook hands the stop to this thread and waits for it.
    Thread hook = new Thread(() -> {
      stopRequested.countDown();
      await(stopped, 15_000);
    }, "hwaas-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Printer printer = Printer.stdout(() -> {
      log.info("standard output was closed; stopping");
      stopRequested.countDown();
    });
    int status;
    try {
      Node node = Node.start(settings, JobHandlers.standard(printer, settings.limits()));
      AtomicReference<String> lost = new AtomicReference<>();
      node.lost().thenAccept(reason -> {
        lost.set(reason);
        stopRequested.countDown();
      });
      // Before the banner: once a node says it started, the client finds it.
      LocalApi.publish(settings.redis().dataDir(), settings.http().host(), node.httpPort(), settings.http().token());
      err.print(node.banner());
      err.flush();
      await(stopRequested, duration == null ? Long.MAX_VALUE : duration.toMillis());
      LocalApi.withdraw(settings.redis().dataDir(), node.httpPort());
      Summary summary = node.stop();
      err.println(summary.line());
      status = ExitCodes.OK;
      if (lost.get() != null) {
        err.println("hwaas: stopped: " + lost.get());
        status = ExitCodes.FAILURE;
      }
    } catch (ConfigException | RedisStartException e) {
      status = ExitCodes.report(e, command, err);
    } catch (RuntimeException e) {
      if (stopRequested.getCount() == 0) {
        // Ctrl-C or SIGTERM while starting: the JVM's shutdown (Vert.x's own hooks included) cut the start short,
        // and Node.start stopped what it had started. That is a clean stop.
        log.debug("start-up interrupted by a stop request", e);
        err.println("hwaas: stopped while starting; nothing was left running");
        status = ExitCodes.OK;
      } else {
        log.error("the node could not start", e);
        status = ExitCodes.report(new IllegalStateException("the node could not start: " + e.getMessage(), e), command, err);
      }
    }
    printer.close();
    err.flush();
    if (isShuttingDown(hook)) {
      // A signal started the JVM's shutdown, which would end with 130 or 143 (and System.exit would block):
      // leave with our own status.
      Runtime.getRuntime().halt(status);
    }
    stopped.countDown();
    return status;
  }

  private static boolean isShuttingDown(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  private static void await(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
