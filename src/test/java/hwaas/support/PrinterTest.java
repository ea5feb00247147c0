package hwaas.support;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrinterTest {

  @Test
  @DisplayName("a stalled output holds back callers once its queue is full, and lets them go when it drains")
  void backPressure() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    OutputStream out = new OutputStream() {
      @Override
      public void write(int b) {
      }

      @Override
      public void write(byte[] b, int off, int len) {
        try {
          stalled.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    try (Printer printer = new Printer(out, () -> { })) {
      assertTrue(printer.room().isDone(), "room at first");
      CompletableFuture<Void> big = printer.printAll(List.of("x".repeat((int) Printer.MAX_PENDING_BYTES)));
      CompletableFuture<Void> room = printer.room();
      assertFalse(room.isDone(), "no room while the output is stalled and the queue full");
      stalled.countDown();
      big.get(5, TimeUnit.SECONDS);
      room.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("once the output is closed, every queued line fails at once; none waits for a next call")
  void closedOutputFailsEverything() throws Exception {
    OutputStream closed = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("Broken pipe");
      }
    };
    try (Printer printer = new Printer(closed, () -> { })) {
      CompletableFuture<Void> first = printer.printAll(List.of("a", "b"));
      CompletableFuture<Void> second = printer.print("c");
      for (CompletableFuture<Void> line : List.of(first, second)) {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> line.get(5, TimeUnit.SECONDS));
        assertInstanceOf(Printer.OutputClosedException.class, failed.getCause());
      }
      assertTrue(printer.room().isDone(), "a closed output has room: writes fail at once");
    }
  }
}
