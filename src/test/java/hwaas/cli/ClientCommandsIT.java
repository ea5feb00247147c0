package hwaas.cli;

import hwaas.testing.NodeProcess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line client as a user runs it, {@code ./hwaas submit ...}, against a node process started by the test. */
class ClientCommandsIT {
  private static final Path HOME = Path.of(System.getProperty("hwaas.home", ".")).toAbsolutePath();

  record Run(int status, String out, String err) {
  }

  @Test
  @DisplayName("a node writes its API address and a 0600 token file; submit --wait prints the result; after the node stops, exit 3")
  void findsTheLocalNode(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    try (NodeProcess node = NodeProcess.start(dir, "node", "--data-dir", data.toString(), "1", "0")) {
      node.awaitStarted();
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(LocalApi.TOKEN_FILE))));
      assertTrue(Files.readString(data.resolve(LocalApi.URL_FILE)).startsWith("http://127.0.0.1:"));
      Run run = hwaas(Map.of(), "submit", "sum", "{\"numbers\": [40, 2]}", "--wait", "--data-dir", data.toString());
      assertEquals(0, run.status, run.err);
      assertEquals("{\"value\":42}", run.out.trim());
      assertFalse(run.err.contains(Files.readString(data.resolve(LocalApi.TOKEN_FILE)).trim()), "the token was printed");
      assertEquals(0, node.stop());
    }
    assertFalse(Files.exists(data.resolve(LocalApi.URL_FILE)), "the address outlived its node");
    Run none = hwaas(Map.of(), "submit", "sum", "{\"numbers\": [1]}", "--data-dir", data.toString());
    assertEquals(3, none.status, none.err);
    assertTrue(none.err.contains("start one with ./hwaas 2 0"), none.err);
    Run closed = hwaas(Map.of("HWAAS_TOKEN", "a-token-for-a-closed-port"), "jobs", "--client", "x", "--api", "http://127.0.0.1:1");
    assertEquals(3, closed.status, closed.err);
    assertTrue(closed.err.contains("no HWaaS node answers at http://127.0.0.1:1"), closed.err);
  }

  private static Run hwaas(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(HOME.resolve("hwaas").toString());
    command.addAll(List.of(args));
    File out = Files.createTempFile("hwaas-out", ".txt").toFile();
    File err = Files.createTempFile("hwaas-err", ".txt").toFile();
    ProcessBuilder builder = new ProcessBuilder(command).directory(HOME.toFile()).redirectOutput(out).redirectError(err);
    builder.environment().remove("HWAAS_TOKEN");
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        throw new AssertionError("./hwaas " + String.join(" ", args) + " still running after 120 s");
      }
      return new Run(process.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
          Files.readString(err.toPath(), StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
      out.delete();
      err.delete();
    }
  }
}
