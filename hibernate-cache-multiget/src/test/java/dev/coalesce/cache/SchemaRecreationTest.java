package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, item 4: a factory that recreates its schema at boot starts with an empty cache for its
 * tables, although Redis kept the previous run's entries.
 */
@RealServices
class SchemaRecreationTest {

  @Test
  void aRecreatedSchemaIsNotServedFromThePreviousRunsEntries(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = redis.hibernateProperties();
    settings.put("hibernate.hbm2ddl.auto", "create");
    SessionFactory previousRun = Boot.factory(db, settings, Post.class, Author.class);
    previousRun.inTransaction(session -> session.persist(new Post(1L, "previous run")));
    previousRun.inTransaction(session -> session.find(Post.class, 1L)); // cached
    previousRun.close(); // "create" drops nothing at close

    SessionFactory nextRun = Boot.factory(db, settings, Post.class, Author.class);
    try {
      // the table is new and empty: the same id is a new row, not a detached one
      nextRun.inTransaction(session -> session.persist(new Post(1L, "next run")));
      nextRun.getStatistics().clear();
      String title = nextRun.fromTransaction(session -> session.find(Post.class, 1L).getTitle());
      assertThat(title).isEqualTo("next run");
    } finally {
      nextRun.close();
    }
  }
}
