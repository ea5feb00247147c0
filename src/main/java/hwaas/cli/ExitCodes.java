package hwaas.cli;

import hwaas.redis.RedisStartException;
import hwaas.support.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintStream;

/**
 * The one mapping from what went wrong to an exit status, for the node and every subcommand: 0 done, 2 bad input
 * (an error line and a usage hint, nothing started), 1 a runtime failure (an error line that says what to do), 3 the
 * command-line client reached no node.
 */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;
  /** The command-line client found no node to talk to. */
  static final int UNREACHABLE = 3;
  private static final Logger log = LoggerFactory.getLogger(ExitCodes.class);

  private ExitCodes() {
  }

  /** Reports {@code error} on {@code err} as the command {@code command} (e.g. {@code hwaas dead}) and gives its status. */
  static int report(Throwable error, CommandLine command, PrintStream err) {
    String name = command.getCommandSpec().qualifiedName();
    if (error instanceof CommandLine.ParameterException || error instanceof ConfigException) {
      err.println(name + ": " + error.getMessage());
      err.println(hint(command));
      return USAGE;
    }
    if (error instanceof ApiClient.Unreachable) {
      err.println(name + ": " + error.getMessage());
      return UNREACHABLE;
    }
    if (error instanceof ApiClient.Refused refused) {
      // The node refused the request: a 4xx is the input's fault (bad payload, unknown or finished job, token).
      err.println(name + ": " + error.getMessage());
      return refused.status < 500 && refused.status != 429 ? USAGE : FAILURE;
    }
    if (error instanceof RedisStartException) {
      err.println(name + ": " + error.getMessage());
      return FAILURE;
    }
    log.debug("{} failed", name, error);
    err.println(name + ": " + error.getMessage());
    return FAILURE;
  }

  private static String hint(CommandLine command) {
    String name = command.getCommandSpec().qualifiedName();
    if (command.getParent() == null) {
      return "Usage: " + name + " [OPTIONS] WORKERS CLIENTS   (e.g. ./hwaas 1 1; see ./hwaas --help)";
    }
    return "Usage: " + name + " ...   (see ./" + name + " --help)";
  }
}
