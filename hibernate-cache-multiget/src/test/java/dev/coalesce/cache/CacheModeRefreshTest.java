package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.hibernate.CacheMode;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CacheMode#REFRESH} rewrites what a NONSTRICT_READ_WRITE or READ_ONLY region holds from the
 * database, as Hibernate documents ("bypasses minimal puts, to force a cache refresh"): the way to
 * repair an entry after the row was changed behind Hibernate's back. Hibernate ORM's own {@code
 * NonstrictReadWriteMinimalPutsTest} and {@code ReadOnlyMinimalPutsTest} found that the refresh
 * only added, so the old entry stayed until its TTL. Other loads still only add (a slow reader
 * never replaces a newer entry). On Redis and on the local store.
 */
@RealServices
class CacheModeRefreshTest {

  static TestDatabase db;
  static TestRedis redis;

  @BeforeAll
  static void services(TestDatabase database, TestRedis testRedis) {
    db = database;
    redis = testRedis;
  }

  static SessionFactory boot(String store) {
    return Boot.onStore(
        store,
        db,
        redis,
        Map.of("hibernate.cache.use_minimal_puts", "true"),
        Note.class,
        Country.class);
  }

  private static void behindHibernate(String sql) throws SQLException {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("set search_path to " + db.schema());
      statement.executeUpdate(sql);
    }
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void refreshReplacesANonstrictEntryThatTheDatabaseNoLongerMatches(String store)
      throws SQLException {
    long id = store.equals("redis") ? 1L : 2L;
    try (SessionFactory factory = boot(store)) {
      Statistics stats = factory.getStatistics();
      factory.inTransaction(session -> session.persist(new Note(id, "one")));
      factory.inTransaction(session -> session.find(Note.class, id, CacheMode.PUT));
      long puts = Boot.settled(factory).getSecondLevelCachePutCount();
      factory.inTransaction(session -> session.find(Note.class, id, CacheMode.PUT));
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("PUT over a cached entry")
          .isEqualTo(puts);

      behindHibernate("update note set text = 'two' where id = " + id);
      assertThat(factory.<String>fromTransaction(session -> session.find(Note.class, id).text))
          .as("still the cached entry")
          .isEqualTo("one");

      factory.inTransaction(session -> session.find(Note.class, id, CacheMode.REFRESH));
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("REFRESH puts")
          .isEqualTo(puts + 1);
      stats.clear();
      assertThat(factory.<String>fromTransaction(session -> session.find(Note.class, id).text))
          .as("read from the cache after the refresh")
          .isEqualTo("two");
      assertThat(Boot.settled(factory).getSecondLevelCacheHitCount()).isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void refreshReplacesAReadOnlyEntry(String store) throws SQLException {
    String code = store.equals("redis") ? "fr" : "de";
    try (SessionFactory factory = boot(store)) {
      Statistics stats = factory.getStatistics();
      factory.inTransaction(session -> session.persist(new Country(code, "old name")));
      factory.inTransaction(session -> session.find(Country.class, code, CacheMode.PUT));
      long puts = Boot.settled(factory).getSecondLevelCachePutCount();

      behindHibernate("update country set name = 'new name' where code = '" + code + "'");
      factory.inTransaction(session -> session.find(Country.class, code, CacheMode.REFRESH));
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("REFRESH puts")
          .isEqualTo(puts + 1);
      stats.clear();
      assertThat(factory.<String>fromTransaction(session -> session.find(Country.class, code).name))
          .isEqualTo("new name");
      assertThat(Boot.settled(factory).getSecondLevelCacheHitCount()).isEqualTo(1);
    }
  }
}
