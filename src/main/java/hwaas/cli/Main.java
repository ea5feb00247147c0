package hwaas.cli;

import picocli.CommandLine;

import java.io.PrintStream;

/**
 * {@code ./hwaas ...}: the node ({@code ./hwaas WORKERS CLIENTS}) and its subcommands, parsed and dispatched by
 * picocli, every failure turned into an exit status by {@link ExitCodes}.
 */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.exit(run(args));
  }

  static int run(String[] args) {
    PrintStream err = System.err;
    CommandLine cli = new CommandLine(new HwaasCommand());
    cli.setParameterExceptionHandler((e, given) -> ExitCodes.report(e, e.getCommandLine(), err));
    cli.setExecutionExceptionHandler((e, command, parsed) -> ExitCodes.report(e, command, err));
    cli.setExecutionStrategy(parsed -> {
      if (parsed.subcommand() != null) {
        LogLevels.apply("warn"); // the subcommands report on stdout; only problems are logged
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    return cli.execute(args);
  }
}
