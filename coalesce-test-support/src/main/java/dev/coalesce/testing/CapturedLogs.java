package dev.coalesce.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The log lines of one logger and its children while it is open (Logback, which the tests log
 * through): what a user reads in the application's log.
 *
 * <pre>{@code
 * try (CapturedLogs logs = CapturedLogs.of("dev.coalesce")) {
 *   ...
 *   assertThat(logs.at(Level.ERROR)).isEmpty();
 * }
 * }</pre>
 */
public final class CapturedLogs implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private CapturedLogs(String loggerName) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    appender.start();
    logger.addAppender(appender);
  }

  /** Starts capturing what {@code loggerName} and the loggers below it log. */
  public static CapturedLogs of(String loggerName) {
    return new CapturedLogs(loggerName);
  }

  /** The lines logged at {@code level}, formatted, in order. */
  public List<String> at(Level level) {
    return events().stream()
        .filter(event -> event.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** Every line logged at WARN or above, formatted, in order. */
  public List<String> warningsAndErrors() {
    return events().stream()
        .filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** Every event captured so far, with its level and throwable. */
  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
