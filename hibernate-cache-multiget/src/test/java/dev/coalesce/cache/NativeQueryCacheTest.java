package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cacheable native query with a result class hits the query cache (found by Hibernate's own
 * suite: it never hit, because Hibernate compares the cached result metadata's types by identity
 * and the entry came back with copies).
 */
@RealServices
class NativeQueryCacheTest {

  static SessionFactory factory;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put("hibernate.cache.use_query_cache", "true");
    factory = Boot.factory(db, settings, Post.class, Author.class);
    factory.inTransaction(
        session -> {
          for (long id = 1; id <= 3; id++) {
            session.persist(new Post(id, "post " + id));
          }
        });
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
  }

  private static <T> List<T> run(String sql, Class<T> resultClass) {
    return factory.fromTransaction(
        session -> session.createNativeQuery(sql, resultClass).setCacheable(true).getResultList());
  }

  @Test
  void aNativeQueryWithAnEntityResultHitsTheSecondTime() {
    String sql = "select * from Post where id <= 2 order by id";
    assertThat(run(sql, Post.class)).extracting(Post::getTitle).containsExactly("post 1", "post 2");
    Statistics stats = factory.getStatistics();
    stats.clear();
    assertThat(run(sql, Post.class)).extracting(Post::getTitle).containsExactly("post 1", "post 2");
    assertThat(stats.getQueryCacheHitCount()).isEqualTo(1);
    assertThat(stats.getQueryCacheMissCount()).isZero();
  }

  @Test
  void aNativeQueryWithAScalarResultHitsTheSecondTime() {
    String sql = "select title from Post order by id";
    assertThat(run(sql, String.class)).containsExactly("post 1", "post 2", "post 3");
    Statistics stats = factory.getStatistics();
    stats.clear();
    assertThat(run(sql, String.class)).containsExactly("post 1", "post 2", "post 3");
    assertThat(stats.getQueryCacheHitCount()).isEqualTo(1);
    assertThat(stats.getPrepareStatementCount()).isZero();
  }
}
