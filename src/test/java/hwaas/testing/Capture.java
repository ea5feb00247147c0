package hwaas.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A stand-in for standard output that tests can read: the printer writes to it from its own thread. */
public class Capture extends ByteArrayOutputStream {
  public synchronized List<String> lines() {
    return toString(StandardCharsets.UTF_8).lines().toList();
  }
}
