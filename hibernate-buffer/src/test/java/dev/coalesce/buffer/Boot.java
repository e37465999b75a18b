package dev.coalesce.buffer;

import dev.coalesce.redis.internal.Timing;
import dev.coalesce.testing.ManualTime;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.redisson.api.RedissonClient;

/**
 * Boots factories for the tests and reads the database behind Hibernate's back (public for the
 * tests of the internal packages, e.g. the flusher's fault points).
 */
public final class Boot {

  private Boot() {}

  /** Settings for a factory on the class's schema and Redis namespace; no background flush. */
  public static Map<String, Object> redisSettings(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = db.hibernateProperties();
    settings.putAll(redis.hibernateProperties());
    settings.put(BufferSettings.FLUSH_INTERVAL, "1h");
    return settings;
  }

  /**
   * Names the factory {@code name} (not in JNDI) in {@code settings}: the name log lines and meters
   * carry.
   */
  public static void name(Map<String, Object> settings, String name) {
    settings.put("hibernate.session_factory_name", name);
    settings.put("hibernate.session_factory_name_is_jndi", "false");
  }

  /** Settings for a factory with the local store; no background flush. */
  public static Map<String, Object> localSettings(TestDatabase db) {
    Map<String, Object> settings = db.hibernateProperties();
    settings.put(BufferSettings.FLUSH_INTERVAL, "1h");
    return settings;
  }

  public static EntityManagerFactory boot(Map<String, Object> settings, Class<?>... entities) {
    return new HibernatePersistenceConfiguration("buffer-test")
        .managedClasses(entities)
        .properties(new HashMap<>(settings))
        .createEntityManagerFactory();
  }

  /**
   * {@link #boot(Map, Class[])} on {@code time}: the factory's clocks and schedulers (the flush
   * interval, the pusher's backoff, the local store's ages) follow the test's time, which replaces
   * the {@link Timing} service in Hibernate's registry.
   */
  public static SessionFactory boot(
      Map<String, Object> settings, ManualTime time, Class<?>... entities) {
    StandardServiceRegistry registry =
        new StandardServiceRegistryBuilder()
            .applySettings(settings)
            .applySetting(AvailableSettings.PERSISTENCE_UNIT_NAME, "buffer-test")
            .addService(Timing.class, new Timing(time.clock(), time::nanoTime, time::newScheduler))
            .build();
    try {
      MetadataSources sources = new MetadataSources(registry);
      for (Class<?> entity : entities) {
        sources.addAnnotatedClass(entity);
      }
      return sources.buildMetadata().buildSessionFactory();
    } catch (RuntimeException e) {
      StandardServiceRegistryBuilder.destroy(registry);
      throw e;
    }
  }

  /** Persists posts {@code 1..count}, titled "post <id>". */
  public static void persistPosts(EntityManagerFactory factory, int count) {
    inTx(
        factory,
        em -> {
          for (long id = 1; id <= count; id++) {
            em.persist(new Post(id, "post " + id));
          }
        });
  }

  /**
   * A client of a Redis server this test started, failing fast once the server is down: short
   * timeouts, no retries, no background pings (so every command the server sees is ours).
   */
  public static RedissonClient fastFailingClient(RedisServerProcess server) {
    return fastFailingClient(server.address());
  }

  /** {@link #fastFailingClient(RedisServerProcess)} for a server (or proxy) at {@code address}. */
  public static RedissonClient fastFailingClient(String address) {
    return TestRedisClients.fastFailing(address);
  }

  /**
   * Counts the row updates the database itself sees on {@code table} (a row-level trigger); read
   * the count with {@code select n from <table>_updates}.
   */
  public static void countRowUpdates(TestDatabase db, String table) {
    execute(db, "create table " + table + "_updates (n bigint not null)");
    execute(db, "insert into " + table + "_updates values (0)");
    execute(
        db,
        "create function count_"
            + table
            + "_update() returns trigger language plpgsql as $$ begin update "
            + table
            + "_updates set n = n + 1; return new; end $$");
    execute(
        db,
        "create trigger count_"
            + table
            + " after update on "
            + table
            + " for each row execute function count_"
            + table
            + "_update()");
  }

  public static void inTx(EntityManagerFactory factory, Consumer<EntityManager> work) {
    factory.runInTransaction(work);
  }

  public static <T> T inTxGet(EntityManagerFactory factory, Function<EntityManager, T> work) {
    return factory.callInTransaction(work);
  }

  /** One number read with plain JDBC; null stays null. */
  public static Long queryLong(TestDatabase db, String sql) {
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

  /** Every row of {@code sql}, each as its columns joined by '|', in the order the query gives. */
  public static List<String> queryRows(TestDatabase db, String sql) {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> result = new ArrayList<>();
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        StringBuilder row = new StringBuilder();
        for (int column = 1; column <= columns; column++) {
          row.append(column > 1 ? "|" : "").append(rows.getString(column));
        }
        result.add(row.toString());
      }
      return result;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public static void execute(TestDatabase db, String sql) {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
