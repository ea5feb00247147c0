package hwaas.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutageLogTest {
  @Test
  @DisplayName("an outage is logged once with its cause and once when it ends; a relapse soon after is the same outage")
  void oneOutageOneLine() {
    Logger logger = (Logger) LoggerFactory.getLogger("hwaas.test.OutageLogTest");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    // Other tests in this JVM may have set levels (a node's --log-level): this test wants its info lines.
    ch.qos.logback.classic.Level level = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    try {
      OutageLog outage = new OutageLog(logger, "queue");
      outage.success();
      for (int i = 0; i < 5; i++) {
        outage.failure("XADD", new IOException("Connection refused"));
      }
      outage.success();
      // A failover: some connections reach the new primary, others still the old one, for a moment.
      outage.failure("XADD", new IOException("Connection refused"));
      outage.success();
      outage.success();
      List<String> said = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertEquals(List.of("queue: XADD failed (further failures are not logged until one succeeds)",
          "queue: recovered after 5 failed attempts"), said);
    } finally {
      logger.setLevel(level);
      logger.detachAppender(lines);
    }
  }
}
