package hwaas.chaos;

import hwaas.support.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chaos command's choice of fault kinds, without starting anything. */
class ChaosCommandTest {

  @Test
  @DisplayName("--faults takes the kinds' names as the help lists them, in either case and with - or _; none means all")
  void faultsParsed() {
    assertEquals(EnumSet.allOf(FaultKind.class), parse().kinds());
    assertEquals(Set.of(FaultKind.CUT_NODES, FaultKind.KILL_REDIS), parse("--faults", "cut-nodes,KILL_REDIS").kinds());
    String help = new CommandLine(new ChaosCommand()).getUsageMessage();
    for (FaultKind kind : FaultKind.values()) {
      assertEquals(kind, FaultKind.parse(kind.option()));
      assertTrue(help.contains(kind.option()), "the help lists " + kind.option());
    }
  }

  @Test
  @DisplayName("an unknown kind is refused naming it and listing every kind")
  void unknownKindRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("--faults", "kill-worker,cut-everything").kinds());
    assertTrue(e.getMessage().contains("'cut-everything'"), e.getMessage());
    for (FaultKind kind : FaultKind.values()) {
      assertTrue(e.getMessage().contains(kind.option()), e.getMessage());
    }
  }

  private static ChaosCommand parse(String... args) {
    ChaosCommand command = new ChaosCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }
}
