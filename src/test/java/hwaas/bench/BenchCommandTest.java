package hwaas.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./hwaas bench --only}: which parts run, and a clear error for a part that does not exist. */
class BenchCommandTest {
  @Test
  void onlyNamesParts() {
    BenchCommand bench = new BenchCommand();
    new CommandLine(bench).parseArgs("--only", "delayed,External");
    assertEquals(List.of(BenchCommand.Part.DELAYED, BenchCommand.Part.EXTERNAL), bench.only);
    BenchCommand all = new BenchCommand();
    new CommandLine(all).parseArgs();
    assertNull(all.only, "every part runs without --only");
  }

  @Test
  void anUnknownPartIsRefusedWithTheirNames() {
    CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
        () -> new CommandLine(new BenchCommand()).parseArgs("--only", "delayed,nope"));
    assertTrue(e.getMessage().contains("'nope' is not a part of the bench") && e.getMessage().contains("external"), e.getMessage());
  }
}
