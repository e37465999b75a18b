package dev.coalesce.buffer.internal;

import static dev.coalesce.buffer.Boot.execute;
import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.PartitionsFailedException;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Issue 11, item 5: what an operator reads. With two SessionFactories in one application, a WARN or
 * ERROR line is of no use unless it says which one it is about, and what to do. One factory goes
 * through a partition that fails, a row whose UPDATE overflows, a push that falls back to the
 * database while its Redis is down, and a close with Redis still down; every WARN and ERROR line
 * starts with the factory's name, says what to do, and those about Redis carry no stack trace.
 */
@RealServices
class OperatorLogTest {

  private static final String FACTORY = "operator-log-test";
  private static final String PREFIX = "SessionFactory '" + FACTORY + "': ";

  @Test
  void everyWarningAndErrorNamesTheFactoryAndSaysWhatToDo(TestDatabase db) {
    List<ILoggingEvent> events;
    try (RedisServerProcess server = RedisServerProcess.start()) {
      RedissonClient client = Boot.fastFailingClient(server);
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "operator-log");
      settings.put(BufferSettings.PARTITIONS, "1");
      settings.put("hibernate.session_factory_name", FACTORY);
      settings.put("hibernate.session_factory_name_is_jndi", "false");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      CapturedLogs logs = CapturedLogs.of("dev.coalesce");
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        Boot.persistPosts(factory, 2);
        execute(db, "update post set likes = " + (Integer.MAX_VALUE - 1) + " where id = 2");

        // a partition fails once (its claim stays in flight)
        AtomicBoolean failOnce = new AtomicBoolean(true);
        Flusher.of(factory.unwrap(SessionFactoryImplementor.class)).faults =
            new FlushFaults() {
              @Override
              public void afterClaim(Claim claim) {
                if (failOnce.getAndSet(false)) {
                  throw new IllegalStateException("partition failed by the test");
                }
              }
            };
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        assertThatThrownBy(buffer::flush).isInstanceOf(PartitionsFailedException.class);

        // a row whose UPDATE overflows is set aside
        inTx(factory, em -> buffer.increment(em, Post.class, 2L, "likes", 5));
        buffer.flush(); // the claim left in flight
        buffer.flush(); // the overflowing row
        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(1);
        assertThat(
                queryLong(
                    db, "select count(*) from coalesce_buffer_failed where id = '2' and delta = 5"))
            .isEqualTo(1);

        // Redis goes away: a push that cannot connect falls back to the database
        server.stop();
        TestRedisClients.awaitUnreachable(client);
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(2);
      } finally {
        // closed with Redis still down: its final flush cannot read the store
        factory.close();
        client.shutdown();
        logs.close();
      }
      events = logs.events();
    }

    List<ILoggingEvent> warnings =
        events.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    assertThat(warnings)
        .as("every WARN and ERROR line names the factory first")
        .isNotEmpty()
        .allSatisfy(event -> assertThat(event.getFormattedMessage()).startsWith(PREFIX));
    assertThat(lines(warnings, Level.WARN, "counter flush of partition 0 failed"))
        .singleElement()
        .satisfies(line -> assertThat(line).contains("If this repeats, fix the cause below"));
    assertThat(lines(warnings, Level.ERROR, "counter update of"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains(" id 2 failed (")
                    .contains("set aside in " + Ledger.FAILED_TABLE)
                    .contains("apply or delete the set-aside rows with SQL")
                    .contains("hibernate-buffer/README.md"));
    assertThat(lines(warnings, Level.WARN, "Redis at"))
        .as("the outage, once")
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("is unreachable")
                    .contains("Check that Redis runs and is reachable from here"));
    assertThat(lines(warnings, Level.WARN, "the final counter flush failed"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .contains("the redis store cannot be read")
                    .contains("Check that it runs and is reachable from here"));
    assertThat(warnings)
        .as("lines about Redis being down carry its first line, no stack trace")
        .filteredOn(
            event ->
                event.getFormattedMessage().contains("Redis at")
                    || event.getFormattedMessage().contains("final counter flush"))
        .hasSize(2)
        .allSatisfy(event -> assertThat(event.getThrowableProxy()).isNull())
        .allSatisfy(event -> assertThat(event.getFormattedMessage()).doesNotContain("\n"));
  }

  private static List<String> lines(List<ILoggingEvent> events, Level level, String containing) {
    return events.stream()
        .filter(event -> event.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(line -> line.contains(containing))
        .toList();
  }
}
