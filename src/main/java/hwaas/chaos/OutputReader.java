package hwaas.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads one node process's standard output to its end on a thread of its own, counting lines: the chaos command's
 * measure of throughput, and the reader whose faults it plays. Made slow, it reads a little at a time, so the pipe
 * fills and the node's printer waits; asked to close, it closes the pipe, so the node's next write fails as it would
 * after {@code | head}. Both happen on the reader's own thread: closing a pipe under a read blocked in another
 * thread would not reach the node until that read returned.
 */
final class OutputReader implements Runnable {
  /** While slow: this many bytes, then a pause; about 10 KiB/s, a fifth of what a worker node prints here. */
  static final int SLOW_CHUNK = 1024;
  static final long SLOW_PAUSE_MILLIS = 100;

  private final InputStream in;
  private final AtomicLong lines;
  private volatile boolean slow;
  private volatile boolean closeRequested;
  private volatile boolean closed;
  /** Reads while slow, and those that filled the whole chunk: output was waiting, so the node was held back. */
  private final AtomicLong slowReads = new AtomicLong();
  private final AtomicLong fullSlowReads = new AtomicLong();

  /** @param lines counts every line read (shared by the processes a node had: it survives restarts) */
  OutputReader(InputStream in, AtomicLong lines) {
    this.in = in;
    this.lines = lines;
  }

  void slow(boolean slow) {
    this.slow = slow;
  }

  /** The pipe is closed after the current read returns (a node that prints returns it at once). */
  void requestClose() {
    closeRequested = true;
  }

  boolean closed() {
    return closed;
  }

  /** Reads made while slow, and how many of them found a whole chunk waiting. */
  long[] slowReads() {
    return new long[] {slowReads.get(), fullSlowReads.get()};
  }

  @Override
  public void run() {
    byte[] buffer = new byte[1 << 16];
    try (in) {
      while (!closeRequested) {
        boolean slowRead = slow;
        int n = slowRead ? in.readNBytes(buffer, 0, SLOW_CHUNK) : in.read(buffer, 0, buffer.length);
        if (n <= 0 && (slowRead || n < 0)) {
          return;
        }
        if (slowRead) {
          slowReads.incrementAndGet();
          if (in.available() > 0) {
            fullSlowReads.incrementAndGet();
          }
        }
        long newlines = 0;
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            newlines++;
          }
        }
        lines.addAndGet(newlines);
        if (slowRead) {
          Thread.sleep(SLOW_PAUSE_MILLIS);
        }
      }
    } catch (IOException e) {
      // the process is gone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
    }
  }
}
