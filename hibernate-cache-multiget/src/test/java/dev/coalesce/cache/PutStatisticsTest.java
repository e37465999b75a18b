package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.hibernate.CacheMode;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hibernate's put statistics count what the store actually wrote (Hibernate ORM's own cache tests,
 * {@code ReadWriteMinimalPutsTest} and {@code CachedQueryTest}, found them inflated): a load of a
 * row whose entry is already cached writes nothing and counts no put, also when its write-back was
 * buffered with the rest of a load. On Redis and on the local store.
 */
@RealServices
class PutStatisticsTest {

  static TestDatabase db;
  static TestRedis redis;

  @BeforeAll
  static void services(TestDatabase database, TestRedis testRedis) {
    db = database;
    redis = testRedis;
  }

  static SessionFactory boot(String store) {
    return Boot.onStore(store, db, redis, Map.of(), Post.class, Author.class, Note.class);
  }

  /** Rows the cache never hears of: plain JDBC, outside Hibernate. */
  static void insertBehindTheCache(String table, String columnsAndValues, List<Long> ids)
      throws SQLException {
    try (Connection connection = db.connect();
        PreparedStatement insert =
            connection.prepareStatement(
                "insert into " + db.schema() + "." + table + " " + columnsAndValues)) {
      for (long id : ids) {
        insert.setLong(1, id);
        insert.setString(2, table + " " + id);
        insert.executeUpdate();
      }
    }
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void aLoadThatBypassesTheCacheCountsNoPutOverTheSameVersion(String store) {
    try (SessionFactory factory = boot(store)) {
      Statistics stats = factory.getStatistics();
      factory.inTransaction(session -> session.persist(new Post(1L, "one")));
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("after-insert")
          .isEqualTo(1);

      // Hibernate's ReadWriteMinimalPutsTest and CacheModeRefreshSessionTest: 2 puts counted here
      factory.inTransaction(session -> session.find(Post.class, 1L, CacheMode.PUT));
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount()).as("find(PUT)").isEqualTo(1);
      factory.inTransaction(session -> session.find(Post.class, 1L, CacheMode.REFRESH));
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("find(REFRESH)")
          .isEqualTo(1);

      // a collection loaded with CacheMode.PUT over its cached entry (same owner version)
      factory.inTransaction(session -> session.find(Post.class, 1L).getTags().size());
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("the tags cached")
          .isEqualTo(2);
      String tags = Post.class.getName() + ".tags";
      assertThat(Boot.settled(factory).getCollectionStatistics(tags).getCachePutCount())
          .isEqualTo(1);
      assertThat(Boot.settled(factory).getDomainDataRegionStatistics(tags).getPutCount())
          .isEqualTo(1);
      factory.inTransaction(
          session -> {
            session.setCacheMode(CacheMode.PUT);
            session.find(Post.class, 1L).getTags().size();
          });
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("tags loaded with PUT")
          .isEqualTo(2);
      assertThat(Boot.settled(factory).getCollectionStatistics(tags).getCachePutCount())
          .isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void aQueryCountsAPutForEachRowItWroteAndNoOther(String store) throws SQLException {
    try (SessionFactory factory = boot(store)) {
      Statistics stats = factory.getStatistics();
      factory.inTransaction(
          session -> {
            for (long id = 1; id <= 6; id++) {
              session.persist(new Post(id, "post " + id));
            }
          });
      insertBehindTheCache(
          "Post", "(id, title, version) values (?, ?, 0)", List.of(7L, 8L, 9L, 10L));
      stats.clear();

      // Hibernate's CachedQueryTest: 10 puts counted over 10 cached rows
      List<Post> posts =
          factory.fromTransaction(
              session -> session.createSelectionQuery("from Post", Post.class).getResultList());
      assertThat(posts).hasSize(10);
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("the 4 rows not cached")
          .isEqualTo(4);
      assertThat(Boot.settled(factory).getEntityStatistics(Post.class.getName()).getCachePutCount())
          .isEqualTo(4);
      assertThat(
              Boot.settled(factory)
                  .getDomainDataRegionStatistics(Post.class.getName())
                  .getPutCount())
          .isEqualTo(4);

      stats.clear();
      factory.inTransaction(
          session -> session.createSelectionQuery("from Post", Post.class).getResultList());
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount()).as("all 10 cached").isZero();

      // and what was counted was written: all 10 hit, no SQL
      stats.clear();
      factory.inTransaction(
          session -> {
            for (long id = 1; id <= 10; id++) {
              session.find(Post.class, id);
            }
          });
      assertThat(Boot.settled(factory).getSecondLevelCacheHitCount()).isEqualTo(10);
      assertThat(Boot.settled(factory).getPrepareStatementCount()).isZero();
    }
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void nonstrictReadWriteCountsOnlyTheValuesItAdds(String store) throws SQLException {
    try (SessionFactory factory = boot(store)) {
      Statistics stats = factory.getStatistics();
      factory.inTransaction(session -> session.persist(new Note(1L, "note 1")));
      insertBehindTheCache("Note", "(id, text) values (?, ?)", List.of(2L, 3L));
      stats.clear();

      // buffered: a query's rows, none cached yet (NONSTRICT_READ_WRITE caches no insert)
      factory.inTransaction(
          session -> session.createSelectionQuery("from Note", Note.class).getResultList());
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount()).isEqualTo(3);
      factory.inTransaction(
          session -> session.createSelectionQuery("from Note", Note.class).getResultList());
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount())
          .as("all cached: nothing added")
          .isEqualTo(3);

      // sent at once (no transaction): refused, as an entry is there
      factory.inSession(session -> session.find(Note.class, 1L, CacheMode.PUT));
      assertThat(Boot.settled(factory).getSecondLevelCachePutCount()).isEqualTo(3);
      assertThat(Boot.settled(factory).getEntityStatistics(Note.class.getName()).getCachePutCount())
          .isEqualTo(3);

      stats.clear();
      factory.inTransaction(
          session -> {
            for (long id = 1; id <= 3; id++) {
              session.find(Note.class, id);
            }
          });
      assertThat(Boot.settled(factory).getSecondLevelCacheHitCount()).isEqualTo(3);
      assertThat(Boot.settled(factory).getPrepareStatementCount()).isZero();
    }
  }
}
