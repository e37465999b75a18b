package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A transaction that starts right after a commit reads what that commit cached (found by
 * Hibernate's own suite: 70 and 49 of 100 such reads missed, because the clock sync at boot kept
 * whatever round trip it measured, and session timestamps lagged Redis time by up to ~100 ms).
 */
@RealServices
class ReadAfterCommitTest {

  private static final int ROUNDS = 100;

  static SessionFactory factory;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    // A fresh factory: its only clock sync is the one at boot (the interval is 1 h in tests).
    factory = Boot.factory(db, redis.hibernateProperties(), Post.class, Author.class);
    factory.inTransaction(session -> session.persist(new Post(1L, "first")));
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
  }

  @Test
  void aTransactionStartingRightAfterACommitHitsTheEntryItCached() {
    Statistics stats = factory.getStatistics();
    int misses = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String title = "title " + round;
      factory.inTransaction(session -> session.find(Post.class, 1L).setTitle(title));
      stats.clear();
      String seen = factory.fromTransaction(session -> session.find(Post.class, 1L).getTitle());
      assertThat(seen).isEqualTo(title);
      misses += (int) stats.getSecondLevelCacheMissCount();
    }
    System.out.printf(
        "reads right after a commit: %d of %d missed the entry the commit cached%n",
        misses, ROUNDS);
    // A read may still miss when it starts within the clock's uncertainty (half the fastest
    // measured round trip, 0.2 to 0.4 ms here) of the commit: a safe miss, and rare.
    assertThat(misses).isLessThanOrEqualTo(ROUNDS / 20);
  }
}
