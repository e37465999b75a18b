package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.inTxGet;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/**
 * Issue item 7: after a flush, a cached entity never shows the old counter, and a region that can
 * lock many entries at once is called once per flush transaction, not once per row.
 */
@RealServices
class SecondLevelCacheTest {

  private static final int ROWS = 30;

  @Test
  void flushedRowsAreEvictedFromTheSecondLevelCache(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put("hibernate.cache.region.factory_class", MapRegionFactory.class.getName());
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.generate_statistics", "true");
    EntityManagerFactory factory = Boot.boot(settings, CachedPost.class, NonstrictCachedPost.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      SessionFactory sessionFactory = factory.unwrap(SessionFactory.class);
      Statistics statistics = sessionFactory.getStatistics();
      inTx(
          factory,
          em -> {
            for (long id = 1; id <= ROWS; id++) {
              em.persist(new CachedPost(id, "cached " + id));
            }
          });
      // warm: every row is served from the cache
      readAll(factory);
      statistics.clear();
      readAll(factory);
      assertThat(statistics.getSecondLevelCacheHitCount()).isEqualTo(ROWS);

      // increment every second row, the other half stays untouched
      inTx(
          factory,
          em -> {
            for (long id = 2; id <= ROWS; id += 2) {
              buffer.increment(em, CachedPost.class, id, "views", id);
            }
          });
      // before the flush the cache and the database agree: nothing applied yet
      assertThat(readAll(factory)).isEqualTo(0);

      buffer.flush();
      statistics.clear();
      long total = readAll(factory);
      long expected = 0;
      for (long id = 2; id <= ROWS; id += 2) {
        expected += id;
      }
      assertThat(total).isEqualTo(expected);
      // touched rows were missed and reloaded, the others still hit
      assertThat(statistics.getSecondLevelCacheMissCount()).isEqualTo(ROWS / 2);
      assertThat(statistics.getSecondLevelCacheHitCount()).isEqualTo(ROWS / 2);

      statistics.clear();
      assertThat(readAll(factory)).isEqualTo(expected);
      assertThat(statistics.getSecondLevelCacheHitCount()).isEqualTo(ROWS);
    } finally {
      factory.close();
    }
  }

  @Test
  void aRegionThatLocksInBulkGetsOneCallPerFlushTransaction(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put("hibernate.cache.region.factory_class", BulkLockingRegionFactory.class.getName());
    settings.put("hibernate.cache.use_second_level_cache", "true");
    // one partition: the flush is one claim, one transaction (each partition is its own)
    settings.put(BufferSettings.PARTITIONS, "1");
    EntityManagerFactory factory = Boot.boot(settings, CachedPost.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      inTx(
          factory,
          em -> {
            for (long id = 1; id <= ROWS; id++) {
              em.persist(new CachedPost(id, "cached " + id));
            }
          });
      readAll(factory);
      inTx(
          factory,
          em -> {
            for (long id = 1; id <= ROWS; id += 3) {
              buffer.increment(em, CachedPost.class, id, "views", 1);
            }
          });
      BulkLockingRegionFactory.resetCounts();

      buffer.flush();

      assertThat(BulkLockingRegionFactory.BULK_LOCK_CALLS).hasValue(1);
      assertThat(BulkLockingRegionFactory.BULK_LOCKED_KEYS).hasValue(ROWS / 3);
      assertThat(BulkLockingRegionFactory.BULK_UNLOCK_CALLS).hasValue(1);
      assertThat(BulkLockingRegionFactory.SINGLE_LOCK_CALLS).hasValue(0);
      assertThat(BulkLockingRegionFactory.SINGLE_UNLOCK_CALLS).hasValue(0);
      assertThat(readAll(factory)).isEqualTo(ROWS / 3);
    } finally {
      factory.close();
    }
  }

  /** Sum of every row's counter, each row read through a fresh session. */
  private static long readAll(EntityManagerFactory factory) {
    long sum = 0;
    for (long id = 1; id <= ROWS; id++) {
      long row = id;
      sum += inTxGet(factory, em -> em.find(CachedPost.class, row).views);
    }
    return sum;
  }

  @Test
  void aNonstrictEntryIsRemovedFromItsRegion(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put("hibernate.cache.region.factory_class", MapRegionFactory.class.getName());
    settings.put("hibernate.cache.use_second_level_cache", "true");
    EntityManagerFactory factory = Boot.boot(settings, NonstrictCachedPost.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      org.hibernate.Cache cache = factory.unwrap(SessionFactory.class).getCache();
      inTx(
          factory,
          em -> {
            em.persist(new NonstrictCachedPost(1L));
            em.persist(new NonstrictCachedPost(2L));
          });
      inTx(
          factory,
          em -> {
            em.find(NonstrictCachedPost.class, 1L);
            em.find(NonstrictCachedPost.class, 2L);
          });
      assertThat(cache.containsEntity(NonstrictCachedPost.class, 1L)).isTrue();
      inTx(factory, em -> buffer.increment(em, NonstrictCachedPost.class, 1L, "views", 3));
      buffer.flush();
      assertThat(cache.containsEntity(NonstrictCachedPost.class, 1L)).isFalse();
      assertThat(cache.containsEntity(NonstrictCachedPost.class, 2L)).isTrue();
      long views = inTxGet(factory, em -> em.find(NonstrictCachedPost.class, 1L).views);
      assertThat(views).isEqualTo(3);
    } finally {
      factory.close();
    }
  }
}
