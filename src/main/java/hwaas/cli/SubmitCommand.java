package hwaas.cli;

import hwaas.support.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code ./hwaas submit TYPE PAYLOAD}: submits one job to a running node; prints its id, or with --wait its result. */
@Command(name = "submit", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Submits a job to a running node over its REST API and prints the job's id; with --wait, waits for it "
        + "and prints its result. Exit status: 0 submitted (with --wait: completed), 1 failed for good (dead or "
        + "canceled), 2 bad input (refused by the node), 3 no node reachable.",
    footer = {"Examples:", "  ./hwaas submit sum '{\"numbers\": [1, 2, 3.5]}' --wait",
        "  ./hwaas submit sleep '{\"seconds\": 5, \"message\": \"later\"}' --delay 60 --client alice"})
public final class SubmitCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TYPE", description = "The job type (print, sleep, sum, multiply, ...).")
  String type;

  @Parameters(index = "1", paramLabel = "PAYLOAD", description = "The payload, a JSON object.")
  String payload;

  @Option(names = "--client", paramLabel = "C", defaultValue = "cli", description = "The client the job is for (default: ${DEFAULT-VALUE}).")
  String client;

  @Option(names = "--delay", paramLabel = "S", description = "Run it this many seconds from now.")
  Double delay;

  @Option(names = "--wait", description = "Wait until the job is finished and print its result.")
  boolean await;

  @Mixin
  ApiClient.Options api;

  @Override
  public Integer call() {
    return run(System.out, System.err);
  }

  int run(PrintStream out, PrintStream err) {
    JsonObject body;
    try {
      body = new JsonObject().put("type", type).put("payload", new JsonObject(payload)).put("client", client);
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("PAYLOAD must be a JSON object, such as '{\"numbers\": [1, 2]}', got " + payload);
    }
    if (delay != null) {
      if (delay < 0 || delay.isNaN()) {
        throw new ConfigException("--delay must be 0 or more seconds, got " + delay);
      }
      body.put("delay", delay);
    }
    ApiClient client = api.connect();
    JsonObject accepted = client.post("/api/jobs", body);
    String id = accepted.getString("id");
    if (!await) {
      out.println(id);
      return ExitCodes.OK;
    }
    return awaitEnd(client, id, accepted, out, err);
  }

  /** Waits for the job to end, 30 s per request: 0 and its result if it completed, 1 and why if it did not. */
  static int awaitEnd(ApiClient client, String id, JsonObject record, PrintStream out, PrintStream err) {
    String path = "/api/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "?wait=30";
    while (!JobsCommand.FINISHED.contains(record.getString("status"))) {
      record = client.get(path, Duration.ofSeconds(40));
    }
    if ("completed".equals(record.getString("status"))) {
      out.println(record.getValue("result") == null ? "{}" : record.getValue("result").toString());
      return ExitCodes.OK;
    }
    err.println("hwaas: job " + id + " is " + record.getString("status")
        + (record.getString("error") == null ? "" : ": " + record.getString("error")));
    return ExitCodes.FAILURE;
  }
}
