package hwaas.chaos;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Sends a signal to a process by its pid with the system's {@code kill}: Java itself can send only SIGTERM and
 * SIGKILL, and the chaos command also needs SIGSTOP and SIGCONT (a frozen node, not a dead one).
 */
final class Signals {
  private Signals() {
  }

  /** {@code kill -SIGNAL pid}; {@code false} if the process was already gone. */
  static boolean send(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " did not return within 5 s");
      }
      return kill.exitValue() == 0;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + signal + " " + pid + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + pid, e);
    }
  }
}
