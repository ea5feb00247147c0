package hwaas.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Applies --log-level: HWaaS logs at that level; libraries stay at WARN unless debug or trace is asked for. */
final class LogLevels {
  private LogLevels() {
  }

  static void apply(String name) {
    Level level = Level.toLevel(name, Level.INFO);
    ((Logger) LoggerFactory.getLogger("hwaas")).setLevel(level);
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(level.isGreaterOrEqual(Level.WARN) || level.levelInt < Level.INFO.levelInt ? level : Level.WARN);
  }
}
