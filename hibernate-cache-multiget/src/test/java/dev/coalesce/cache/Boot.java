package dev.coalesce.cache;

import static org.awaitility.Awaitility.await;

import dev.coalesce.redis.internal.Timing;
import dev.coalesce.testing.ManualTime;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.stat.Statistics;

/** Boots a SessionFactory with the multiget cache on a test's database. */
final class Boot {

  private Boot() {}

  static Map<String, Object> cacheSettings() {
    Map<String, Object> settings = new HashMap<>();
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.region.factory_class", "multiget");
    settings.put("hibernate.generate_statistics", "true");
    // no background TIME reads in the middle of counted round trips
    settings.put(CacheSettings.CLOCK_SYNC_INTERVAL, "1h");
    return settings;
  }

  /**
   * The factory's statistics once every write-back it sent has its answer: a load does not wait for
   * its write-backs, and puts are counted when Redis answers. Fails the test, with the factory's
   * cache state, if some write-back had no answer after {@link MultiGet#awaitWriteBacks}'s 2 s:
   * what the test reads next would not be what it means to read.
   */
  static Statistics settled(SessionFactory factory) {
    if (!MultiGet.awaitWriteBacks(factory)) {
      throw new AssertionError(
          "a write-back had no answer from Redis after 2 s: " + cacheState(factory));
    }
    return factory.getStatistics();
  }

  /**
   * Loads {@code ids} until a second load right after hits every one of them (see {@link #warmUp})
   * and returns that load's entities, with the factory's statistics holding its counts alone.
   */
  static <T> List<T> warmUntilEveryRowHits(
      SessionFactory node, Class<T> type, List<?> ids, String tag) {
    List<T> warm = new ArrayList<>();
    warmUp(
        tag + ": the warm multi-get of " + ids.size() + " rows hits every row",
        () -> cacheState(node),
        () -> {
          node.inTransaction(session -> session.findMultiple(type, ids));
          settled(node).clear();
          warm.clear();
          warm.addAll(node.fromTransaction(session -> session.findMultiple(type, ids)));
          return settled(node).getSecondLevelCacheHitCount() == ids.size();
        });
    return warm;
  }

  /**
   * Runs {@code round} until it returns true, at most 20 s. For a test's setup on servers it has
   * just started: a call that fails there begins an outage, in which a node serves nothing for the
   * outage's retry and grace periods (3 s). Each extra round is printed with {@code state} (the
   * nodes' cache state), and giving up fails the test with it.
   */
  static void warmUp(String what, Supplier<String> state, BooleanSupplier round) {
    int[] rounds = {0};
    try {
      await(what)
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (rounds[0]++ > 0) {
                  System.out.printf("[%s] warm-up round %d: %s%n", what, rounds[0], state.get());
                }
                return round.getAsBoolean();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("never " + what + ": " + state.get(), e);
    }
  }

  /**
   * Waits until a session of {@code factory} opened now counts as started after everything {@code
   * redis} has done so far (a region clear, an unlock, an entry stamped at a commit). A session's
   * timestamp is the node's estimate of Redis's time lowered by the estimate's uncertainty, so a
   * session opened right after such a write may count as started before it: the cache then refuses
   * its write-backs, or misses the entry, as it must. A test that asserts exact counts right after
   * such a write calls this first; with the {@code local} store ({@code redis} null) there is
   * nothing to wait for.
   */
  static void pastStoreTime(SessionFactory factory, TestRedis redis) {
    if (redis == null) {
      return;
    }
    List<?> time = (List<?>) redis.command("TIME");
    long redisMicros =
        Long.parseLong(String.valueOf(time.get(0))) * 1_000_000
            + Long.parseLong(String.valueOf(time.get(1)));
    RegionFactory regions =
        factory.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory();
    await("a session opened now counts as started after Redis time " + redisMicros)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> regions.nextTimestamp() > redisMicros);
  }

  /** The node's cache state, for messages: whether it reaches Redis and serves cached reads. */
  static String cacheState(SessionFactory node) {
    return CacheReport.of(node).map(CacheReport::toString).orElse("no multiget cache");
  }

  /**
   * A factory whose cache store is {@code store}: {@code redis} (the test's Redis and namespace) or
   * {@code local}, for the tests that hold both stores to one behaviour.
   */
  static SessionFactory onStore(
      String store,
      TestDatabase db,
      TestRedis redis,
      Map<String, Object> extra,
      Class<?>... entities) {
    Map<String, Object> settings = new HashMap<>(extra);
    if (store.equals("redis")) {
      settings.putAll(redis.hibernateProperties());
    } else {
      settings.put(CacheSettings.STORE, "local");
    }
    return factory(db, settings, entities);
  }

  static SessionFactory factory(TestDatabase db, Map<String, Object> extra, Class<?>... entities) {
    Map<String, Object> settings = settings(db, extra);
    EntityManagerFactory emf =
        new HibernatePersistenceConfiguration("multiget-test")
            .managedClasses(entities)
            .properties(settings)
            .createEntityManagerFactory();
    return emf.unwrap(SessionFactory.class);
  }

  /**
   * {@link #factory} on {@code time}: the cache's clocks and schedulers (clock sync, outage
   * retries, resends) follow the test's time, which replaces the {@link Timing} service in
   * Hibernate's registry.
   */
  static SessionFactory factory(
      TestDatabase db, Map<String, Object> extra, ManualTime time, Class<?>... entities) {
    StandardServiceRegistry registry =
        new StandardServiceRegistryBuilder()
            .applySettings(settings(db, extra))
            .applySetting(AvailableSettings.PERSISTENCE_UNIT_NAME, "multiget-test")
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

  private static Map<String, Object> settings(TestDatabase db, Map<String, Object> extra) {
    Map<String, Object> settings = db.hibernateProperties();
    settings.putAll(cacheSettings());
    settings.putAll(extra);
    return settings;
  }
}
