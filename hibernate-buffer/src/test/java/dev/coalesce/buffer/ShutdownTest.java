package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue item 6: closing the factory flushes what is pending, bounded by a timeout. */
@RealServices
class ShutdownTest {

  @Test
  void closingFlushesEverythingPendingWithRedis(TestDatabase db, TestRedis redis) {
    closeAndCheck(db, Boot.redisSettings(db, redis));
    assertThat(redis.keys()).noneMatch(key -> key.endsWith(":live") || key.endsWith(":inflight"));
  }

  @Test
  void closingFlushesEverythingPendingWithTheLocalStore(TestDatabase db) {
    closeAndCheck(db, Boot.localSettings(db));
  }

  private static void closeAndCheck(TestDatabase db, Map<String, Object> settings) {
    // keep the tables after close, to read them
    settings.put("hibernate.hbm2ddl.auto", "create");
    EntityManagerFactory factory = Boot.boot(settings, Post.class);
    CounterBuffer buffer = CounterBuffer.of(factory);
    Boot.persistPosts(factory, 5);
    inTx(
        factory,
        em -> {
          for (long id = 1; id <= 5; id++) {
            em.find(Post.class, id).views += id;
            buffer.increment(em, Post.class, id, "likes", 10 * id);
          }
        });
    assertThat(queryLong(db, "select sum(views) from post")).isZero();

    factory.close();

    for (long id = 1; id <= 5; id++) {
      assertThat(queryLong(db, "select views from post where id = " + id)).isEqualTo(id);
      assertThat(queryLong(db, "select likes from post where id = " + id)).isEqualTo(10 * id);
    }
  }

  @Test
  void aFinalFlushThatCannotFinishIsCutOffAndLosesNothing(TestDatabase db, TestRedis redis)
      throws Exception {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put("hibernate.hbm2ddl.auto", "create");
    settings.put(BufferSettings.SHUTDOWN_TIMEOUT, "300ms");
    EntityManagerFactory factory = Boot.boot(settings, Post.class);
    CounterBuffer buffer = CounterBuffer.of(factory);
    inTx(factory, em -> em.persist(new Post(1L, "locked")));
    inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 42));

    try (Connection blocker = db.connect()) {
      blocker.setAutoCommit(false);
      try (Statement statement = blocker.createStatement()) {
        statement.execute("select * from post where id = 1 for update");
      }
      long start = System.nanoTime();
      // preemptive: an unbounded final flush fails the test instead of hanging it on our lock
      assertTimeoutPreemptively(Duration.ofSeconds(10), factory::close);
      System.out.printf(
          "close() with a blocked final flush took %d ms%n",
          (System.nanoTime() - start) / 1_000_000);
      blocker.rollback();
    }

    // the delta waited in Redis (in flight); the next factory applies it exactly once
    settings.put("hibernate.hbm2ddl.auto", "none");
    settings.put(BufferSettings.SHUTDOWN_TIMEOUT, "30s");
    EntityManagerFactory next = Boot.boot(settings, Post.class);
    try {
      CounterBuffer.of(next).flush();
      assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(42);
      CounterBuffer.of(next).flush();
      assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(42);
      assertThat(CounterBuffer.of(next).pending(Post.class, 1L, "views")).isZero();
    } finally {
      next.close();
    }
  }
}
