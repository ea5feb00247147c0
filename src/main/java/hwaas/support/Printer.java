package hwaas.support;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes printed lines to standard output on a thread of its own: a slow or full pipe must never block
 * an event loop. Lines that arrive while it writes are written together and flushed once, and each
 * line's future completes only after that flush, so a worker acknowledges only what really went out. A
 * worker hands over a batch's lines at once: one future, one copy, however many lines.
 */
public final class Printer implements AutoCloseable {
  private final OutputStream out;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "hwaas-printer");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentLinkedQueue<Line> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable onClosed;
  private volatile OutputClosedException broken;
  /** Bytes handed over and not yet written: past {@link #MAX_PENDING_BYTES}, callers are told to wait ({@link #room}). */
  private final AtomicLong pending = new AtomicLong();
  private final ConcurrentLinkedQueue<CompletableFuture<Void>> waitingForRoom = new ConcurrentLinkedQueue<>();
  /** How much may wait for a slow output: enough for seconds of a fast node, small enough to bound memory. */
  public static final long MAX_PENDING_BYTES = 16L << 20;

  private record Line(byte[] bytes, CompletableFuture<Void> done) {
  }

  /**
   * @param onClosed called once if the output goes away (for example {@code | head -3} exited)
   */
  public Printer(OutputStream out, Runnable onClosed) {
    this.out = new BufferedOutputStream(out, 1 << 16);
    this.onClosed = onClosed;
  }

  public static Printer stdout(Runnable onClosed) {
    return new Printer(new FileOutputStream(FileDescriptor.out), onClosed);
  }

  /**
   * Completes when the output has room for more: at once unless {@link #MAX_PENDING_BYTES} are waiting to be written
   * (a slow pipe). Readers of work wait on it before they take more, so a slow output holds back reading instead of
   * filling memory, and lines never wait so long that their jobs are taken for lost. A closed output has room: writes
   * then fail at once.
   */
  public CompletableFuture<Void> room() {
    if (pending.get() < MAX_PENDING_BYTES || broken != null) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> room = new CompletableFuture<>();
    waitingForRoom.add(room);
    if (pending.get() < MAX_PENDING_BYTES || broken != null) {
      releaseWaiters(); // drained while we registered
    }
    return room;
  }

  private void releaseWaiters() {
    for (CompletableFuture<Void> room = waitingForRoom.poll(); room != null; room = waitingForRoom.poll()) {
      room.complete(null);
    }
  }

  /** Completes when the line has been written and flushed; fails if standard output is closed. */
  public CompletableFuture<Void> print(String line) {
    return printAll(List.of(line));
  }

  /** Completes when all the lines have been written and flushed, in order; fails if standard output is closed. */
  public CompletableFuture<Void> printAll(List<String> lines) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (broken != null) {
      done.completeExceptionally(broken);
      return done;
    }
    byte[] bytes = encode(lines);
    pending.addAndGet(bytes.length);
    queue.add(new Line(bytes, done));
    if (drainScheduled.compareAndSet(false, true)) {
      thread.execute(this::drain);
    }
    return done;
  }

  private static byte[] encode(List<String> lines) {
    if (lines.size() == 1) {
      return (lines.get(0) + "\n").getBytes(StandardCharsets.UTF_8);
    }
    StringBuilder text = new StringBuilder(lines.size() * (lines.get(0).length() + 1));
    for (String line : lines) {
      text.append(line).append('\n');
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private void drain() {
    drainScheduled.set(false); // before polling: a line added from now on schedules another drain
    List<Line> written = new ArrayList<>();
    // Every queued line is taken, written or (once the output is gone) failed: none is left waiting for a next call.
    for (Line line = queue.poll(); line != null; line = queue.poll()) {
      written.add(line);
      write(line.bytes());
    }
    if (broken == null) {
      try {
        out.flush();
      } catch (IOException e) {
        closed(e);
      }
    }
    for (Line line : written) {
      pending.addAndGet(-line.bytes().length);
      if (broken == null) {
        line.done().complete(null);
      } else {
        line.done().completeExceptionally(broken);
      }
    }
    if (pending.get() < MAX_PENDING_BYTES || broken != null) {
      releaseWaiters();
    }
  }

  private void write(byte[] bytes) {
    if (broken == null) {
      try {
        out.write(bytes);
      } catch (IOException e) {
        closed(e);
      }
    }
  }

  private void closed(IOException e) {
    if (broken == null) {
      broken = new OutputClosedException(e);
      onClosed.run();
    }
  }

  /** Standard output went away: expected when a reader such as {@code head} has seen enough, so no stack trace. */
  public static final class OutputClosedException extends IOException {
    OutputClosedException(IOException cause) {
      super("standard output is closed (" + cause.getMessage() + ")", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
