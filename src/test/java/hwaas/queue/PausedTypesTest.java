package hwaas.queue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PausedTypesTest {
  @Test
  @DisplayName("a read of Redis sent before a change here does not undo it; a later read is the truth")
  void staleReadsLoseToNewerChanges() {
    PausedTypes paused = new PausedTypes();
    long before = System.nanoTime();
    paused.set("print", true);
    paused.refresh(Set.of(), before);
    assertTrue(paused.contains("print"), "a read older than the pause resumed it");

    paused.set("sum", false);
    paused.refresh(Set.of("sum"), before);
    assertFalse(paused.contains("sum"), "a read older than the resume paused it");

    paused.refresh(Set.of("sum"), System.nanoTime());
    assertFalse(paused.contains("print"), "a newer read without print left it paused");
    assertTrue(paused.contains("sum"), "a newer read with sum left it running");
  }
}
