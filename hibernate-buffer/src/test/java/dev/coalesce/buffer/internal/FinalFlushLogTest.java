package dev.coalesce.buffer.internal;

import static dev.coalesce.buffer.Boot.inTx;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Closing a factory whose final flush fails: an ERROR only when deltas really stay unflushed, and
 * then it names the factory, how many, and where they are.
 */
@RealServices
class FinalFlushLogTest {

  private static final String FACTORY = "final-flush-log-test";

  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void aFailedFinalFlushIsAnErrorOnlyWhenDeltasRemain(
      int pendingIncrements, TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = Boot.localSettings(db);
    settings.putAll(redis.hibernateProperties());
    settings.put(BufferSettings.PARTITIONS, "4");
    Boot.name(settings, FACTORY);
    EntityManagerFactory factory = Boot.boot(settings, Post.class);
    Boot.persistPosts(factory, 1);
    for (int i = 0; i < pendingIncrements; i++) {
      inTx(factory, em -> CounterBuffer.of(factory).increment(em, Post.class, 1L, "views", 1));
    }
    Flusher.of(factory.unwrap(SessionFactoryImplementor.class)).faults =
        new FlushFaults() {
          @Override
          public void beforeFlush() {
            throw new IllegalStateException("final flush failed by the test");
          }
        };

    try (CapturedLogs logs = CapturedLogs.of("dev.coalesce")) {
      factory.close();

      if (pendingIncrements == 0) {
        assertThat(logs.warningsAndErrors()).as("nothing was pending, nothing is lost").isEmpty();
      } else {
        assertThat(logs.at(Level.ERROR))
            .singleElement()
            .satisfies(
                line ->
                    assertThat(line)
                        .startsWith(
                            "SessionFactory '"
                                + FACTORY
                                + "': the final counter flush failed (IllegalStateException:"
                                + " final flush failed by the test);")
                        .contains("1 counters (1 live, 0 in a claim) stay in the redis store")
                        .contains("of namespace '" + redis.namespace() + "'")
                        .contains("the next start of this application, flushes them"));
      }
    }
  }
}
