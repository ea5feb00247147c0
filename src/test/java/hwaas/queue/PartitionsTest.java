package hwaas.queue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The partitions' names: where their tags hash, and which partition a batch goes to. */
class PartitionsTest {

  @Test
  @DisplayName("a tag's slot is Redis Cluster's CRC16/XMODEM modulo 16384 (the reference vector and known keys)")
  void slots() {
    assertEquals(0x31C3, Partitions.slot("123456789")); // the CRC16/XMODEM check value, below 16384
    assertEquals(12182, Partitions.slot("foo")); // redis-cli: "SET foo bar" is redirected to slot 12182
    assertEquals(11058, Partitions.slot("somekey")); // CLUSTER KEYSLOT somekey
  }

  @Test
  @DisplayName("n partitions: the home keeps its name, each other partition's tag hashes into a range of its own")
  void oneRangeEach() {
    for (int count : new int[] {2, 3, 5, 8}) {
      Partitions partitions = Partitions.spread("{hwaas}", count);
      assertEquals(count, partitions.count());
      assertEquals("{hwaas}:jobs:print", partitions.home().stream("print"));
      Set<Integer> ranges = new HashSet<>();
      for (StreamKeys keys : partitions.all()) {
        String prefix = keys.prefix();
        assertTrue(prefix.startsWith("{") && prefix.endsWith("}"), prefix);
        int slot = Partitions.slot(prefix.substring(1, prefix.length() - 1));
        ranges.add((int) ((long) slot * count / Partitions.SLOTS));
      }
      assertEquals(count, ranges.size(), "two partitions of " + count + " share a range: " + names(partitions));
      assertEquals(names(partitions), names(Partitions.spread("{hwaas}", count)), "the names are not stable");
    }
  }

  @Test
  @DisplayName("a batch's partition follows its key: the same key always lands in the same partition, keys spread")
  void byBatchKey() {
    Partitions partitions = Partitions.spread("{hwaas}", 3);
    assertEquals(partitions.ofKey("client-7:41"), partitions.ofKey("client-7:41"));
    int[] seen = new int[3];
    for (int i = 0; i < 3_000; i++) {
      seen[partitions.ofKey("client-" + (i % 50) + ":" + i)]++;
    }
    for (int n : seen) {
      assertTrue(n > 700, "uneven: " + java.util.Arrays.toString(seen));
    }
  }

  @Test
  @DisplayName("an API job's id names its partition: the home's ids keep their form, a chain step shares its job's")
  void jobIds() {
    Partitions partitions = Partitions.spread("{hwaas}", 12);
    String unique = "api-0123456789abcdef0123";
    assertEquals(unique, Partitions.jobId(0, unique));
    assertEquals("api-p03-0123456789abcdef0123", Partitions.jobId(3, unique));
    assertEquals("api-p11-0123456789abcdef0123", Partitions.jobId(11, unique));
    for (int p = 0; p < 12; p++) {
      assertEquals(p, partitions.ofJob(Partitions.jobId(p, unique)));
      assertEquals(p, partitions.ofJob(Partitions.jobId(p, unique) + ".2"), "a chain step");
      assertEquals(partitions.get(p), partitions.ofJobKeys(Partitions.jobId(p, unique)));
    }
    for (String other : List.of("client-7:41", "api-p12-0123", "api-p3-0123", "api-p-0123", "api-px0-0123", "api-p123-0", "api-p03")) {
      assertEquals(0, partitions.ofJob(other), other + ": not an id of one of these partitions, so the home's");
    }
    assertEquals(0, Partitions.single("hwaas").ofJob("api-p01-0123"), "one partition: every id is the home's");
  }

  @Test
  @DisplayName("one partition is the prefix alone; more need a hash tag and at most 64; each takes its share of a limit")
  void limits() {
    assertEquals(List.of("hwaas"), names(Partitions.single("hwaas")));
    assertEquals(List.of("{hwaas}"), names(Partitions.spread("{hwaas}", 1)));
    assertThrows(IllegalArgumentException.class, () -> Partitions.spread("hwaas", 2));
    assertThrows(IllegalArgumentException.class, () -> Partitions.spread("{hwaas}", 0));
    assertThrows(IllegalArgumentException.class, () -> Partitions.spread("{hwaas}", 65));
    assertNotEquals(names(Partitions.spread("{a}", 3)), names(Partitions.spread("{b}", 3)));
    assertEquals(4, Partitions.spread("{hwaas}", 3).share(10), "a service-wide limit's share, rounded up");
    assertEquals(10, Partitions.single("hwaas").share(10));
  }

  private static List<String> names(Partitions partitions) {
    return partitions.all().stream().map(StreamKeys::prefix).toList();
  }
}
