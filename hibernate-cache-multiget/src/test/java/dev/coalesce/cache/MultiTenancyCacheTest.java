package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.List;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-tenancy ({@code @TenantId}): the tenant is part of every cache key, so a tenant's cached
 * rows are served to that tenant only, on Redis.
 */
@RealServices
class MultiTenancyCacheTest {

  static SessionFactory factory;

  static TestRedis store;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    store = redis;
    factory = Boot.factory(db, redis.hibernateProperties(), TenantNote.class);
    as("a", session -> persist(session, new TenantNote(1L, "a's note")));
    as("b", session -> persist(session, new TenantNote(2L, "b's note")));
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
  }

  static Object persist(Session session, Object entity) {
    session.persist(entity);
    return entity;
  }

  static <T> T as(String tenant, Function<Session, T> work) {
    // as Object: tenantIdentifier(String) is deprecated for removal
    try (Session session = factory.withOptions().tenantIdentifier((Object) tenant).openSession()) {
      var transaction = session.beginTransaction();
      T result = work.apply(session);
      transaction.commit();
      return result;
    }
  }

  @Test
  void aTenantIsServedItsOwnCachedRowsAndNeverAnotherTenants() {
    factory.getCache().evictAllRegions();
    Boot.pastStoreTime(factory, store); // the loads below start after the clear: cached
    as("a", session -> session.find(TenantNote.class, 1L));
    as("b", session -> session.find(TenantNote.class, 2L));

    long sql = factory.getStatistics().getPrepareStatementCount();
    TenantNote own = as("a", session -> session.find(TenantNote.class, 1L));
    assertThat(factory.getStatistics().getPrepareStatementCount() - sql).as("SQL").isZero();
    assertThat(own.text).isEqualTo("a's note");

    // a's row is cached; b asking for its id gets nothing (b's key misses, b's SQL finds no row)
    TenantNote others = as("b", session -> session.find(TenantNote.class, 1L));
    assertThat(others).isNull();
    List<TenantNote> many =
        as("b", session -> session.findMultiple(TenantNote.class, List.of(1L, 2L)));
    assertThat(many.get(0)).isNull();
    assertThat(many.get(1).text).isEqualTo("b's note");
  }
}
