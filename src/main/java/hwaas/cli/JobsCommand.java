package hwaas.cli;

import hwaas.support.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./hwaas jobs ID} or {@code ./hwaas jobs --client C}: a job's record, or a client's newest jobs. */
@Command(name = "jobs", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Shows a job (its record as JSON) or a client's newest jobs (a table), from a running node. "
        + "Exit status: 0 shown, 2 bad input or no such job, 3 no node reachable.",
    footer = {"Examples:", "  ./hwaas jobs api-3f0c...", "  ./hwaas jobs --client alice --limit 50"})
public final class JobsCommand implements Callable<Integer> {
  static final List<String> FINISHED = List.of("completed", "dead", "canceled");

  @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "A job id.")
  String id;

  @Option(names = "--client", paramLabel = "C", description = "List this client's jobs, newest first.")
  String client;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "With --client: how many (1 to 1000, default: ${DEFAULT-VALUE}).")
  int limit;

  @Mixin
  ApiClient.Options api;

  @Override
  public Integer call() {
    return run(System.out);
  }

  int run(PrintStream out) {
    if ((id == null) == (client == null)) {
      throw new ConfigException("give a job ID or --client C (one of the two)");
    }
    if (limit < 1 || limit > 1000) {
      throw new ConfigException("--limit must be between 1 and 1000, got " + limit);
    }
    ApiClient http = api.connect();
    if (id != null) {
      out.println(http.get("/api/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8), Duration.ofSeconds(30)).encodePrettily());
      return ExitCodes.OK;
    }
    JsonArray jobs = http.get("/api/jobs?client=" + URLEncoder.encode(client, StandardCharsets.UTF_8) + "&limit=" + limit,
        Duration.ofSeconds(30)).getJsonArray("jobs", new JsonArray());
    out.printf("%-28s %-10s %-10s %-26s %s%n", "ID", "TYPE", "STATUS", "CREATED", "RESULT OR ERROR");
    for (Object o : jobs) {
      JsonObject job = (JsonObject) o;
      Object outcome = job.getValue("result") != null ? job.getValue("result") : job.getString("error", "");
      out.printf("%-28s %-10s %-10s %-26s %s%n", job.getString("id"), job.getString("type"), job.getString("status"),
          job.getString("createdAt", ""), outcome);
    }
    out.println(jobs.size() + " job(s)");
    return ExitCodes.OK;
  }
}
