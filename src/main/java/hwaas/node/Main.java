package hwaas.node;

import hwaas.bench.BenchCommand;
import hwaas.cli.AuditCommand;
import hwaas.cli.DeadCommand;
import hwaas.cli.HwaasCommand;
import hwaas.config.ConfigException;
import hwaas.config.HwaasConfig;
import hwaas.worker.JobHandlers;
import hwaas.worker.Printer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./hwaas WORKERS CLIENTS [flags]}: parses the command line, runs one node until Ctrl-C, SIGTERM,
 * --duration or a closed standard output, then stops it gracefully and prints the summary line.
 */
public final class Main {
  private static final int OK = 0;
  private static final int RUNTIME_FAILURE = 1;
  private static final int USAGE = 2;
  private static final String HINT = "Usage: hwaas [OPTIONS] WORKERS CLIENTS   (e.g. ./hwaas 1 1; see ./hwaas --help)";

  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.exit(run(args));
  }

  static int run(String[] args) {
    PrintStream err = System.err;
    if (args.length > 0 && (args[0].equals("audit") || args[0].equals("dead") || args[0].equals("bench"))) {
      return runTool(args[0], java.util.Arrays.copyOfRange(args, 1, args.length), err);
    }
    HwaasCommand command = new HwaasCommand();
    CommandLine cli = new CommandLine(command);
    HwaasConfig config;
    try {
      cli.parseArgs(args);
      if (cli.isUsageHelpRequested()) {
        cli.usage(System.out);
        return OK;
      }
      if (cli.isVersionHelpRequested()) {
        cli.printVersionHelp(System.out);
        return OK;
      }
      config = command.toConfig();
    } catch (CommandLine.ParameterException | ConfigException e) {
      err.println("hwaas: " + e.getMessage());
      err.println(HINT);
      return USAGE;
    }
    LogLevels.apply(config.logLevel());
    return runNode(config, err);
  }

  /** The subcommands that inspect rather than run: {@code audit} and {@code dead}. */
  private static int runTool(String name, String[] args, PrintStream err) {
    Object command = switch (name) {
      case "audit" -> new AuditCommand();
      case "dead" -> new DeadCommand();
      default -> new BenchCommand();
    };
    CommandLine cli = new CommandLine(command);
    String hint = "Usage: hwaas " + name + " ...   (see ./hwaas " + name + " --help)";
    try {
      cli.parseArgs(args);
      if (cli.isUsageHelpRequested()) {
        cli.usage(System.out);
        return OK;
      }
      LogLevels.apply("warn");
      if (command instanceof BenchCommand bench) {
        return bench.run(System.out);
      }
      return command instanceof AuditCommand audit ? audit.run(System.out, err) : ((DeadCommand) command).run(System.out);
    } catch (CommandLine.ParameterException | ConfigException e) {
      err.println("hwaas " + name + ": " + e.getMessage());
      err.println(hint);
      return USAGE;
    } catch (Exception e) {
      err.println("hwaas " + name + ": " + e.getMessage());
      return RUNTIME_FAILURE;
    }
  }

  private static int runNode(HwaasConfig config, PrintStream err) {
    Logger log = LoggerFactory.getLogger(Main.class);
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    // Registered before anything starts: Ctrl-C or SIGTERM during start-up must still stop what was started
    // (an embedded Redis above all). The hook hands the stop to this thread and waits for it.
    Thread hook = new Thread(() -> {
      stopRequested.countDown();
      await(stopped, 15);
    }, "hwaas-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Printer printer = Printer.stdout(() -> {
      log.info("standard output was closed; stopping");
      stopRequested.countDown();
    });
    int status;
    try {
      Node node = Node.start(config, JobHandlers.standard(printer, config));
      err.print(Banner.of(node));
      err.flush();
      await(stopRequested, config.duration() != null ? config.duration().toMillis() / 1000.0 : Double.MAX_VALUE);
      Summary summary = node.stop();
      err.println(summary.line());
      status = OK;
    } catch (ConfigException e) {
      err.println("hwaas: " + e.getMessage());
      err.println(HINT);
      status = USAGE;
    } catch (RedisStartException e) {
      err.println("hwaas: " + e.getMessage());
      status = RUNTIME_FAILURE;
    } catch (RuntimeException e) {
      if (stopRequested.getCount() == 0) {
        // Ctrl-C or SIGTERM while starting: the JVM's shutdown (Vert.x's own hooks included) cut the start short,
        // and Node.start stopped what it had started. That is a clean stop.
        log.debug("start-up interrupted by a stop request", e);
        err.println("hwaas: stopped while starting; nothing was left running");
        status = OK;
      } else {
        log.error("the node could not start", e);
        err.println("hwaas: the node could not start: " + e.getMessage());
        status = RUNTIME_FAILURE;
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

  private static void await(CountDownLatch latch, double seconds) {
    try {
      if (seconds >= Long.MAX_VALUE / 1_000_000_000.0) {
        latch.await();
      } else {
        latch.await(Math.round(seconds * 1000), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
