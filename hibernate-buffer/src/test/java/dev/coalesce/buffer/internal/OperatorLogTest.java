package dev.coalesce.buffer.internal;

import static dev.coalesce.buffer.Boot.execute;
import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.PartitionsFailedException;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.FreezableTcpProxy;
import dev.coalesce.testing.ManualTime;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.engine.spi.TransactionCompletionCallbacks.AfterCompletionCallback;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Issue 11, item 5: what an operator reads. With two SessionFactories in one application, a WARN or
 * ERROR line is of no use unless it says which one it is about, and what to do. One factory goes
 * through a partition that fails, a row whose UPDATE overflows, a push that falls back to the
 * database while its Redis is down, and a close with Redis still down; every WARN and ERROR line
 * starts with the factory's name, says what to do, and those about Redis carry no stack trace. A
 * database outage, Redis down too for part of it, is one WARN line when it starts and one INFO line
 * when it ends, however many flushes and direct applies fail meanwhile.
 */
@RealServices
class OperatorLogTest {

  private static final String REFUSED_DIRECT_APPLY =
      "applying committed counter deltas that never reached the store to the database failed";

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
      Boot.name(settings, FACTORY);
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

        // the database refuses that fallback for a reason of its own (not an outage): the
        // operator is told, and the apply is retried until the database takes it
        execute(
            db,
            "create function refuse_post_update() returns trigger language plpgsql as"
                + " $$ begin raise exception 'refused by the test'; end $$");
        execute(
            db,
            "create trigger refuse_update before update on post for each row"
                + " execute function refuse_post_update()");
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        await("the refused apply is logged")
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    logs.events().stream()
                        .anyMatch(e -> e.getFormattedMessage().contains(REFUSED_DIRECT_APPLY)));
        execute(db, "drop trigger refuse_update on post");
        await("the retried apply lands")
            .atMost(Duration.ofSeconds(30))
            .until(() -> queryLong(db, "select views from post where id = 1") == 3);
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
    assertThat(lines(warnings, Level.WARN, REFUSED_DIRECT_APPLY))
        .as("a refused direct apply, at each retry until the database takes it")
        .isNotEmpty()
        .allSatisfy(
            line ->
                assertThat(line)
                    .contains("refused by the test")
                    .contains("they wait in memory and are retried")
                    .contains("If this repeats, fix the cause"));
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

  /**
   * The database becomes unreachable (a link in front of it closes every connection and refuses new
   * ones) with counters pending in Redis, right after a transaction committed while Redis is down:
   * that commit's direct apply and ten background flushes fail. The outage is one WARN line, with
   * the cause's first line and no stack trace, and one INFO line when the database answers again,
   * with its duration and what failed meanwhile; afterwards the database holds exactly the
   * increments that committed.
   */
  @Test
  void aDatabaseOutageIsLoggedOnceWhenItStartsAndOnceWhenItEnds(TestDatabase db) {
    String factoryName = "operator-log-db-test";
    String prefix = "SessionFactory '" + factoryName + "': ";
    Matcher server =
        Pattern.compile("^(jdbc:[a-z]+://)([^/:?]+)(?::(\\d+))?(/.*)$").matcher(db.jdbcUrl());
    assertThat(server.matches()).as("a JDBC URL with a host: %s", db.jdbcUrl()).isTrue();
    int port =
        server.group(3) != null
            ? Integer.parseInt(server.group(3))
            : 5432; // a plain TestDatabase parameter is PostgreSQL
    List<ILoggingEvent> events;
    try (RedisServerProcess redis = RedisServerProcess.startWithAppendOnlyFile();
        FreezableTcpProxy link = FreezableTcpProxy.start(server.group(2), port)) {
      RedissonClient client = Boot.fastFailingClient(redis);
      Map<String, Object> settings = Boot.localSettings(db);
      String throughLink = server.group(1) + "127.0.0.1:" + link.port() + server.group(4);
      settings.put("jakarta.persistence.jdbc.url", throughLink);
      // a flush or direct apply that finds no connection gives up after 250 ms, not 30 s
      settings.put("hibernate.hikari.connectionTimeout", "250");
      settings.put("hibernate.hikari.validationTimeout", "250");
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "operator-log-db");
      settings.put(BufferSettings.FLUSH_INTERVAL, "100ms");
      Boot.name(settings, factoryName);
      // stopped: a background flush runs only when the test moves time, so counters stay pending
      ManualTime time = ManualTime.stopped();
      SessionFactory factory = Boot.boot(settings, time, Post.class);
      CapturedLogs logs = CapturedLogs.of("dev.coalesce");
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        Boot.persistPosts(factory, 1);
        // three increments wait in Redis when the outage starts
        for (int i = 0; i < 3; i++) {
          inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        }
        assertThat(buffer.stats().deltasQueued()).isZero();

        // Redis goes away, then a transaction commits and the database goes away right after its
        // commit, before its deltas are handed over (this callback runs before the buffer's)
        redis.stop();
        TestRedisClients.awaitUnreachable(client);
        inTx(
            factory,
            em -> {
              em.unwrap(SharedSessionContractImplementor.class)
                  .getTransactionCompletionCallbacks()
                  .registerCallback((AfterCompletionCallback) (success, session) -> link.cut());
              buffer.increment(em, Post.class, 1L, "views", 1);
            });
        // ten background flushes fail meanwhile, and the direct apply is retried
        for (int i = 0; i < 10; i++) {
          time.advanceAndRunDue(Duration.ofMillis(100));
        }
        assertThat(queryLong(db, "select views from post where id = 1")).isZero();

        link.restore();
        await("the end of the database outage is logged")
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  time.advanceAndRunDue(Duration.ofMillis(100));
                  return logs.at(Level.INFO).stream()
                      .anyMatch(
                          line ->
                              line.contains("the database at") && line.contains("answers again"));
                });
        redis.startAgain();
        await("committed deltas leave this JVM")
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  time.advanceAndRunDue(Duration.ofMillis(100));
                  return buffer.stats().deltasQueued() == 0;
                });
        buffer.flush();
        // every increment the application was told committed, once
        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(4);
      } finally {
        factory.close();
        client.shutdown();
        logs.close();
      }
      events = logs.events();
      // the JDBC URL as given (it carries no password here: Credentials masks one)
      String target = "the database at " + throughLink;

      List<ILoggingEvent> warnings =
          events.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).toList();
      warnings.forEach(event -> System.out.println("observed: " + event.getFormattedMessage()));
      assertThat(warnings)
          .as("every WARN and ERROR line names the factory first, without a stack trace")
          .allSatisfy(event -> assertThat(event.getFormattedMessage()).startsWith(prefix))
          .allSatisfy(event -> assertThat(event.getThrowableProxy()).isNull())
          .allSatisfy(event -> assertThat(event.getFormattedMessage()).doesNotContain("\n"));
      assertThat(lines(warnings, Level.WARN, "the database at"))
          .as("the database's outage, once")
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .startsWith(
                          prefix
                              + "Counter buffer: "
                              + target
                              + " is unreachable while applying committed counter deltas that"
                              + " never reached the store (")
                      .contains("Counter deltas wait in the redis store")
                      .contains("Check that the database runs and is reachable from here"));
      assertThat(lines(warnings, Level.WARN, "Redis at")).as("Redis's outage, once").hasSize(1);
      assertThat(warnings).as("nothing else: no line per flush, partition or retry").hasSize(2);
      List<String> ends =
          lines(events, Level.INFO, "the database at").stream()
              .filter(line -> line.contains("answers again"))
              .toList();
      ends.forEach(line -> System.out.println("observed: " + line));
      assertThat(ends)
          .singleElement()
          .satisfies(
              line -> {
                assertThat(line)
                    .startsWith(prefix + "Counter buffer: " + target + " answers again")
                    .containsPattern("after an outage of \\d+ ms \\(\\d+ failed calls: ")
                    .contains("applying committed counter deltas that never reached the store")
                    .contains("flushes resume and apply what waited")
                    .containsPattern("; committed deltas still waiting in memory: \\d+$");
                Matcher flushes = Pattern.compile("(\\d+) flushing counters").matcher(line);
                assertThat(flushes.find()).as("failed flushes counted: %s", line).isTrue();
                assertThat(Integer.parseInt(flushes.group(1))).isGreaterThanOrEqualTo(10);
              });
    }
  }

  private static List<String> lines(List<ILoggingEvent> events, Level level, String containing) {
    return events.stream()
        .filter(event -> event.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(line -> line.contains(containing))
        .toList();
  }

  /**
   * A partition whose flush fails the same way at every interval (here a fault point throws; in
   * life a lock held for minutes or a missing privilege) is one WARN line with its cause, and one
   * more for the flush that reported it, not two per interval; the first flush that succeeds after
   * it says so at INFO, with how many failed. The counter lands once.
   */
  @Test
  void aFailureThatRepeatsEveryIntervalIsLoggedOnceAndItsEndOnce(TestDatabase db) {
    String factoryName = "operator-log-repeat-test";
    List<ILoggingEvent> events;
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      RedissonClient client = Boot.fastFailingClient(redis);
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "operator-log-repeat");
      settings.put(BufferSettings.PARTITIONS, "1");
      settings.put(BufferSettings.FLUSH_INTERVAL, "100ms");
      Boot.name(settings, factoryName);
      // stopped: a background flush runs only when the test moves time
      ManualTime time = ManualTime.stopped();
      SessionFactory factory = Boot.boot(settings, time, Post.class);
      CapturedLogs logs = CapturedLogs.of("dev.coalesce");
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        Boot.persistPosts(factory, 1);
        AtomicBoolean failing = new AtomicBoolean(true);
        Flusher.of(factory.unwrap(SessionFactoryImplementor.class)).faults =
            new FlushFaults() {
              @Override
              public void afterClaim(Claim claim) {
                if (failing.get()) {
                  throw new IllegalStateException("partition failed by the test, again");
                }
              }
            };
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        for (int i = 0; i < 10; i++) {
          time.advanceAndRunDue(Duration.ofMillis(100));
        }
        assertThat(queryLong(db, "select views from post where id = 1")).isZero();

        failing.set(false);
        time.advanceAndRunDue(Duration.ofMillis(100));
        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(1);
      } finally {
        factory.close();
        client.shutdown();
        logs.close();
      }
      events = logs.events();
    }
    List<ILoggingEvent> warnings =
        events.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    assertThat(lines(warnings, Level.WARN, "counter flush of partition 0 failed"))
        .as("ten failed flushes of the partition, logged once")
        .singleElement()
        .satisfies(line -> assertThat(line).contains("logged at DEBUG"));
    assertThat(lines(warnings, Level.WARN, "Counter flush failed for partition(s) {0} of 1"))
        .as("and the flush that reported it, once")
        .hasSize(1);
    assertThat(warnings).as("nothing else warned of").hasSize(2);
    List<String> ends =
        events.stream()
            .filter(event -> event.getLevel() == Level.INFO)
            .map(ILoggingEvent::getFormattedMessage)
            .filter(line -> line.contains("succeed again"))
            .toList();
    assertThat(ends)
        .singleElement()
        .isEqualTo(
            "SessionFactory '"
                + factoryName
                + "': counter flushes succeed again after 10 failed in a row");
  }
}
