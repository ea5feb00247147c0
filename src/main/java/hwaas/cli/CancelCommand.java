package hwaas.cli;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code ./hwaas cancel ID}: cancels a job that is not finished, wherever it waits or runs. */
@Command(name = "cancel", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Cancels a job (or the chain it belongs to) that is not finished, through a running node. Exit status: "
        + "0 canceled, 2 no such job or already finished, 3 no node reachable.",
    footer = {"Example:", "  ./hwaas cancel api-3f0c..."})
public final class CancelCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ID", description = "The job's id.")
  String id;

  @Mixin
  ApiClient.Options api;

  @Override
  public Integer call() {
    return run(System.out);
  }

  int run(PrintStream out) {
    JsonObject answer = api.connect().post("/api/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/cancel", null);
    out.println("canceled " + id + " (was " + answer.getString("was") + ")"
        + (answer.getString("chain") == null ? "" : ", with its chain " + answer.getString("chain")));
    return ExitCodes.OK;
  }
}
