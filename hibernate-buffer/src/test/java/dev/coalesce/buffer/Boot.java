package dev.coalesce.buffer;

import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

/** Boots factories for the tests and reads the database behind Hibernate's back. */
final class Boot {

  private Boot() {}

  /** Settings for a factory on the class's schema and Redis namespace; no background flush. */
  static Map<String, Object> redisSettings(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = db.hibernateProperties();
    settings.putAll(redis.hibernateProperties());
    settings.put(BufferSettings.FLUSH_INTERVAL, "1h");
    return settings;
  }

  /** Settings for a factory with the local store; no background flush. */
  static Map<String, Object> localSettings(TestDatabase db) {
    Map<String, Object> settings = db.hibernateProperties();
    settings.put(BufferSettings.FLUSH_INTERVAL, "1h");
    return settings;
  }

  static EntityManagerFactory boot(Map<String, Object> settings, Class<?>... entities) {
    return new HibernatePersistenceConfiguration("buffer-test")
        .managedClasses(entities)
        .properties(new HashMap<>(settings))
        .createEntityManagerFactory();
  }

  static void inTx(EntityManagerFactory factory, Consumer<EntityManager> work) {
    inTxGet(
        factory,
        em -> {
          work.accept(em);
          return null;
        });
  }

  static <T> T inTxGet(EntityManagerFactory factory, Function<EntityManager, T> work) {
    EntityManager em = factory.createEntityManager();
    try {
      em.getTransaction().begin();
      T result = work.apply(em);
      em.getTransaction().commit();
      return result;
    } finally {
      if (em.getTransaction().isActive()) {
        em.getTransaction().rollback();
      }
      em.close();
    }
  }

  /** One number read with plain JDBC; null stays null. */
  static Long queryLong(TestDatabase db, String sql) {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      if (!rows.next()) {
        throw new AssertionError("no row for " + sql);
      }
      long value = rows.getLong(1);
      return rows.wasNull() ? null : value;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  static void execute(TestDatabase db, String sql) {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
