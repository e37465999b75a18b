package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.Map;
import org.hibernate.KeyType;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An id or a natural id whose row was deleted and then inserted again is cached by that insert, as
 * in any Hibernate cache: the deleting writer's trace (a released lock) refuses only transactions
 * that started before it left. Hibernate ORM's own tests found it ({@code
 * CachedMutableNaturalIdTest.testCreateDeleteRecreate}, {@code PolymorphicCacheTest}, which delete,
 * empty every region and insert the same ids again): the insert was not cached, and every read went
 * to the database until the trace expired. On Redis and on the local store.
 */
@RealServices
class ReinsertTest {

  static TestDatabase db;
  static TestRedis redis;

  @BeforeAll
  static void services(TestDatabase database, TestRedis testRedis) {
    db = database;
    redis = testRedis;
  }

  static SessionFactory boot(String store) {
    return Boot.onStore(store, db, redis, Map.of(), Post.class, Author.class, Account.class);
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void aRowDeletedAndInsertedAgainIsServedFromTheCache(String store) {
    try (SessionFactory factory = boot(store)) {
      factory.inTransaction(session -> session.persist(new Post(1L, "first")));
      factory.inTransaction(session -> session.remove(session.find(Post.class, 1L)));
      // as Hibernate's tests do between two tests
      factory.getCache().evictAllRegions();
      factory.inTransaction(session -> session.persist(new Post(1L, "second")));

      assertThat(factory.getCache().containsEntity(Post.class, 1L))
          .as("the row inserted again is cached by its insert")
          .isTrue();
      Statistics stats = factory.getStatistics();
      stats.clear();
      String title = factory.fromTransaction(session -> session.find(Post.class, 1L).getTitle());
      assertThat(title).isEqualTo("second");
      assertThat(stats.getSecondLevelCacheHitCount()).as("read from the cache").isEqualTo(1);
      assertThat(stats.getPrepareStatementCount()).as("SQL").isZero();
    }
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void aNaturalIdDeletedAndInsertedAgainResolvesFromTheCache(String store) {
    try (SessionFactory factory = boot(store)) {
      factory.inTransaction(
          session -> {
            Account first = new Account(1L, "it@example.org", "first");
            session.persist(first);
            session.flush();
            session.remove(first);
          });
      factory.inTransaction(
          session -> session.persist(new Account(2L, "it@example.org", "second")));

      // the entry was stamped at that commit: a session right after may count as started before it
      Boot.pastStoreTime(factory, store.equals("redis") ? redis : null);
      Statistics stats = factory.getStatistics();
      stats.clear();
      Long id =
          factory.fromTransaction(
              session -> session.find(Account.class, "it@example.org", KeyType.NATURAL).id);
      assertThat(id).isEqualTo(2L);
      assertThat(stats.getNaturalIdCacheHitCount())
          .as("the natural id inserted again resolves from the cache")
          .isEqualTo(1);
    }
  }
}
