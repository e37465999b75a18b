package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.ManualTime;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Redis down when a transaction commits: a push that provably never left this process is applied
 * straight to the database, once.
 */
@RealServices
class StoreOutageTest {

  @Test
  void aPushThatCannotConnectFallsBackToTheDatabase(TestDatabase db) {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      RedissonClient client = Boot.fastFailingClient(server);
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "outage");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        inTx(factory, em -> em.persist(new Post(1L, "outage")));
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 2));

        server.stop();
        TestRedisClients.awaitUnreachable(client);
        long start = System.nanoTime();
        inTx(
            factory,
            em -> {
              em.find(Post.class, 1L).views += 5;
            });
        System.out.printf(
            "commit with Redis down took %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(5);
        BufferStats duringOutage = buffer.stats();
        assertThat(duringOutage.directFallbacks()).isEqualTo(1);
        assertThat(duringOutage.oldestPendingAge()).as("unknown while Redis is down").isNull();

        server.startAgain();
        // the +2 pushed before the outage was lost with the server (it kept no data); new pushes
        // go to Redis again
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        assertThat(buffer.stats().directFallbacks()).isEqualTo(1);
        buffer.flush();
        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(6);
      } finally {
        factory.close();
        client.shutdown();
      }
    }
  }

  /**
   * Issue 11, item 5: with Redis down while transactions commit and background flushes run every
   * 100 ms, the buffer logs the outage once when it starts and once when it ends (with its
   * duration), and no stack trace, instead of a warning per push, per flush and per partition.
   */
  @Test
  void anOutageIsLoggedOnceWhenItStartsAndOnceWhenItEnds(TestDatabase db) {
    // with its append-only file: a restart keeps what Redis acknowledged, so pushes in doubt
    // when it died are settled by asking it, and nothing is lost
    try (RedisServerProcess server = RedisServerProcess.startWithAppendOnlyFile()) {
      RedissonClient client = Boot.fastFailingClient(server);
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "outage-logs");
      settings.put(BufferSettings.FLUSH_INTERVAL, "100ms");
      Boot.name(settings, "outage-logs");
      // running: background flushes go on every 100 ms while the test also moves time ahead
      ManualTime time = ManualTime.running();
      SessionFactory factory = Boot.boot(settings, time, Post.class);
      CapturedLogs logs = CapturedLogs.of("dev.coalesce");
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        inTx(factory, em -> em.persist(new Post(1L, "outage")));
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));

        // stopped while background flushes run every 100 ms, and commits follow at once: the
        // pushes and flushes in flight meet the outage, not a client that already noticed it
        server.stop();
        for (int i = 0; i < 5; i++) {
          inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 1));
        }
        // at least ten background flushes fail meanwhile, and the pushes are retried
        for (int i = 0; i < 10; i++) {
          time.advanceAndRunDue(Duration.ofMillis(100));
        }
        assertThat(buffer.stats().oldestPendingAge()).as("unknown while Redis is down").isNull();

        server.startAgain();
        // flushes and push retries run as time moves: 100 ms of it per look at the logs
        await("the end of the outage is logged")
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  time.advanceAndRunDue(Duration.ofMillis(100));
                  return logs.at(Level.INFO).stream().anyMatch(l -> l.contains("answers again"));
                });
        // every increment the application was told committed is in the database, once
        await("committed deltas leave this JVM")
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> {
                  time.advanceAndRunDue(Duration.ofMillis(100));
                  return buffer.stats().deltasQueued() == 0;
                });
        buffer.flush();
        assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(6);
      } finally {
        factory.close();
        client.shutdown();
        logs.close();
      }
      assertThat(logs.warningsAndErrors())
          .as("the outage is logged once, naming the factory and what to do")
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .startsWith("SessionFactory 'outage-logs': Counter buffer: Redis at")
                      .contains("is unreachable")
                      .contains("Check that Redis runs and is reachable from here"));
      assertThat(logs.events())
          .as("no stack trace at WARN or above")
          .filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
          .allSatisfy(event -> assertThat(event.getThrowableProxy()).isNull());
      assertThat(logs.at(Level.INFO))
          .filteredOn(line -> line.contains("answers again"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .containsPattern("after an outage of \\d+ ms \\(\\d+ failed calls: \\d+ "));
    }
  }
}
