package dev.coalesce.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.cache.MultiGet;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both modules in one application, two nodes (SessionFactories) on one PostgreSQL and one Redis:
 * buffered counters on cached entities, loaded with the multi-get.
 */
@RealServices
class BothModulesTest {

  private static final List<Long> IDS = LongStream.rangeClosed(1, 100).boxed().toList();

  private static EntityManagerFactory nodeA;
  private static EntityManagerFactory nodeB;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    nodeA = boot(db, redis, "create");
    nodeB = boot(db, redis, "none");
    nodeA.runInTransaction(em -> IDS.forEach(id -> em.persist(new Article(id, "article " + id))));
  }

  @AfterAll
  static void close() {
    if (nodeB != null) {
      nodeB.close();
    }
    if (nodeA != null) {
      nodeA.close();
    }
  }

  private static EntityManagerFactory boot(TestDatabase db, TestRedis redis, String ddl) {
    return Nodes.boot(db, redis, ddl, "both-modules", Article.class);
  }

  @Test
  void incrementsOnBothNodesReachTheDatabaseAndTheCacheNeverShowsAnOldCounter(TestDatabase db) {
    // Warm the cache on node B: the second load of 100 articles costs no SQL at all.
    nodeB.runInTransaction(em -> assertThat(MultiGet.byIds(em, Article.class, IDS)).hasSize(100));
    Statistics statsB = statistics(nodeB);
    statsB.clear();
    nodeB.runInTransaction(em -> assertThat(MultiGet.byIds(em, Article.class, IDS)).hasSize(100));
    assertThat(statsB.getPrepareStatementCount()).isZero();
    assertThat(statsB.getSecondLevelCacheHitCount()).isEqualTo(100);

    // Existing entity code, unchanged, on both nodes: 3 views per article on A, 2 on B.
    for (int round = 0; round < 3; round++) {
      nodeA.runInTransaction(
          em -> MultiGet.byIds(em, Article.class, IDS).values().forEach(this::view));
    }
    for (int round = 0; round < 2; round++) {
      nodeB.runInTransaction(
          em -> MultiGet.byIds(em, Article.class, IDS).values().forEach(this::view));
    }
    assertThat(sumOfViews(db)).isZero();
    assertThat(CounterBuffer.of(nodeA).pending(Article.class, 7L, "views")).isEqualTo(5);

    // One node flushes everything both buffered, one row update per article.
    assertThat(CounterBuffer.of(nodeA).flush()).isEqualTo(100);
    assertThat(sumOfViews(db)).isEqualTo(500);
    assertThat(CounterBuffer.of(nodeB).pending(Article.class, 7L, "views")).isZero();

    // The flush evicted the touched rows from the shared cache: node B reads 5, not 0, and
    // reloads the 100 misses with one SQL query.
    statsB.clear();
    nodeB.runInTransaction(
        em ->
            assertThat(MultiGet.byIds(em, Article.class, IDS).values())
                .extracting(Article::getViews)
                .containsOnly(5L));
    assertThat(statsB.getPrepareStatementCount()).isEqualTo(1);
    assertThat(statsB.getSecondLevelCacheMissCount()).isEqualTo(100);
  }

  private void view(Article article) {
    article.setViews(article.getViews() + 1);
  }

  private static Statistics statistics(EntityManagerFactory factory) {
    return factory.unwrap(SessionFactory.class).getStatistics();
  }

  private static long sumOfViews(TestDatabase db) {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select coalesce(sum(views), 0) from Article")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
