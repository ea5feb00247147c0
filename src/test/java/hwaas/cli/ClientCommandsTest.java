package hwaas.cli;

import hwaas.jobs.JobHandlers;
import hwaas.node.Node;
import hwaas.node.NodeSettings;
import hwaas.support.Printer;
import hwaas.testing.Capture;
import hwaas.testing.TestConfigs;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./hwaas submit|jobs|cancel} against a real node, run in this JVM through the same entry point as the launcher
 * ({@link Main#run}). The node's address is found the way the launcher's node leaves it: {@link LocalApi} files in a
 * data directory. Its {@code multiply} always fails, with one attempt, so such a job ends dead.
 */
class ClientCommandsTest {
  private static final String TOKEN = "client-commands-test-token";
  @TempDir
  static Path dataDir;
  private static Printer printer;
  private static Node node;

  record Run(int status, String out, String err) {
  }

  @BeforeAll
  static void startNode() {
    NodeSettings local = TestConfigs.withToken(TestConfigs.local(1, 0, 1), TOKEN);
    NodeSettings config = local.withWorkers(local.workers().withRetries(1, Duration.ofMillis(100)));
    printer = new Printer(new Capture(), () -> { });
    JobHandlers handlers = JobHandlers.standard(printer, config.limits())
        .with("multiply", job -> Future.failedFuture(new IllegalStateException("multiply refused on purpose")));
    node = Node.start(config, handlers);
    LocalApi.publish(dataDir, "127.0.0.1", node.httpPort(), TOKEN);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.stop();
      printer.close();
    }
  }

  @Test
  @DisplayName("the node's token file is 0600; submit --wait of sum prints the result and exits 0; jobs ID shows it")
  void submitAndWait() throws Exception {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(LocalApi.TOKEN_FILE))));
    Run run = hwaas("submit", "sum", "{\"numbers\": [1, 2, 3.5]}", "--wait", "--client", "cli-test", "--data-dir", dataDir.toString());
    assertEquals(0, run.status, run.err);
    assertEquals("{\"value\":6.5}", run.out.trim());

    Run submitted = hwaas("submit", "print", "{\"message\": \"from the cli\"}", "--client", "cli-test", "--data-dir", dataDir.toString());
    assertEquals(0, submitted.status, submitted.err);
    String id = submitted.out.trim();
    assertTrue(id.startsWith("api-"), id);
    Run shown = hwaas("jobs", id, "--data-dir", dataDir.toString());
    assertEquals(0, shown.status, shown.err);
    assertEquals(id, new JsonObject(shown.out).getString("id"));
    Run listed = hwaas("jobs", "--client", "cli-test", "--data-dir", dataDir.toString());
    assertEquals(0, listed.status, listed.err);
    assertTrue(listed.out.contains(id) && listed.out.contains("sum"), listed.out);
  }

  @Test
  @DisplayName("submit --wait of a job that ends dead exits 1 and says why")
  void deadExitsOne() {
    Run run = hwaas("submit", "multiply", "{\"numbers\": [" + System.nanoTime() + "]}", "--wait", "--data-dir", dataDir.toString());
    assertEquals(1, run.status, run.out + run.err);
    assertTrue(run.err.contains("dead") && run.err.contains("multiply refused on purpose"), run.err);
  }

  @Test
  @DisplayName("bad input exits 2 and changes nothing: a payload that is not JSON, one the contract refuses, a finished job canceled")
  void badInputExitsTwo() {
    Run notJson = hwaas("submit", "sum", "[1, 2", "--data-dir", dataDir.toString());
    assertEquals(2, notJson.status);
    assertTrue(notJson.err.contains("PAYLOAD must be a JSON object"), notJson.err);
    Run refused = hwaas("submit", "sum", "{\"numbers\": \"x\"}", "--client", "cli-bad", "--data-dir", dataDir.toString());
    assertEquals(2, refused.status, refused.err);
    assertTrue(refused.err.contains("HTTP 400"), refused.err);
    assertTrue(hwaas("jobs", "--client", "cli-bad", "--data-dir", dataDir.toString()).out.contains("0 job(s)"));

    Run done = hwaas("submit", "sum", "{\"numbers\": [4]}", "--wait", "--client", "cli-cancel", "--data-dir", dataDir.toString());
    assertEquals(0, done.status, done.err);
    String id = hwaas("jobs", "--client", "cli-cancel", "--data-dir", dataDir.toString()).out.lines()
        .filter(line -> line.startsWith("api-")).findFirst().orElseThrow().split(" ")[0];
    Run cancel = hwaas("cancel", id, "--data-dir", dataDir.toString());
    assertEquals(2, cancel.status, cancel.out + cancel.err);
    assertTrue(cancel.err.contains("completed already"), cancel.err);
  }

  @Test
  @DisplayName("cancel of a running job exits 0; with no node on the data directory every command exits 3 saying how to start one")
  void cancelAndUnreachable(@TempDir Path empty) {
    Run submitted = hwaas("submit", "sleep", "{\"seconds\": 20, \"message\": \"never\"}", "--data-dir", dataDir.toString());
    String id = submitted.out.trim();
    Run cancel = hwaas("cancel", id, "--data-dir", dataDir.toString());
    assertEquals(0, cancel.status, cancel.err);
    assertTrue(cancel.out.startsWith("canceled " + id), cancel.out);

    Run none = hwaas("submit", "sum", "{\"numbers\": [1]}", "--wait", "--data-dir", empty.toString());
    assertEquals(3, none.status, none.err);
    assertTrue(none.err.contains("./hwaas 2 0"), none.err);
    // --api to a closed port (with HWAAS_TOKEN, which this JVM cannot set) is ClientCommandsIT's.
  }

  private static Run hwaas(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int status = Main.run(args);
      return new Run(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
