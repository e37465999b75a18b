package dev.coalesce.it;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

/** Boots one node: a SessionFactory with both modules on the test's database and Redis. */
final class Nodes {

  private Nodes() {}

  /**
   * A node whose buffer flushes only when the test says so, with the multiget cache and statistics.
   *
   * @param ddl {@code hibernate.hbm2ddl.auto}: {@code create} for the first node, {@code none}
   *     after
   */
  static EntityManagerFactory boot(
      TestDatabase db, TestRedis redis, String ddl, String name, Class<?>... entities) {
    Map<String, Object> settings = db.hibernateProperties();
    settings.putAll(redis.hibernateProperties());
    settings.put("hibernate.hbm2ddl.auto", ddl);
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.region.factory_class", "multiget");
    settings.put("hibernate.generate_statistics", "true");
    settings.put(BufferSettings.FLUSH_INTERVAL, "1h");
    return new HibernatePersistenceConfiguration(name)
        .managedClasses(entities)
        .properties(settings)
        .createEntityManagerFactory();
  }
}
