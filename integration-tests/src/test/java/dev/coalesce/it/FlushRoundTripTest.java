package dev.coalesce.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.cache.CacheSettings;
import dev.coalesce.cache.MultiGet;
import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A flush keeps its rows out of the multi-get cache in bulk: one round trip locks every flushed row
 * of a region and one releases them, where Hibernate's per-key cache interface would cost two round
 * trips per row.
 */
@RealServices
class FlushRoundTripTest {

  private static final int ROWS = 400;
  private static final int PARTITIONS = 4;
  private static final List<Long> IDS = LongStream.rangeClosed(1, ROWS).boxed().toList();

  private static CountingRedisProxy proxy;
  private static EntityManagerFactory factory;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    proxy = CountingRedisProxy.start(redis.host(), redis.port());
    Map<String, Object> settings = db.hibernateProperties();
    settings.putAll(redis.hibernateProperties());
    settings.put("hibernate.coalesce.redis.address", proxy.address());
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.region.factory_class", "multiget");
    settings.put(BufferSettings.FLUSH_INTERVAL, "1h");
    settings.put(BufferSettings.PARTITIONS, Integer.toString(PARTITIONS));
    // No periodic Redis TIME while round trips are counted.
    settings.put(CacheSettings.CLOCK_SYNC_INTERVAL, "1h");
    factory =
        new HibernatePersistenceConfiguration("flush-round-trips")
            .managedClasses(Article.class)
            .properties(settings)
            .createEntityManagerFactory();
    factory.runInTransaction(em -> IDS.forEach(id -> em.persist(new Article(id, "article " + id))));
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void aFlushLocksAndReleasesItsCachedRowsInOneRoundTripEachPerPartition() {
    factory.runInTransaction(em -> MultiGet.byIds(em, Article.class, IDS));
    factory.runInTransaction(
        em ->
            MultiGet.byIds(em, Article.class, IDS)
                .values()
                .forEach(article -> article.setViews(article.getViews() + 1)));

    proxy.reset();
    assertThat(CounterBuffer.of(factory).flush()).isEqualTo(ROWS);
    List<CountingRedisProxy.RoundTrip> roundTrips = proxy.roundTrips();
    System.out.printf(
        "flush of %d cached rows: %d Redis round trips, %d commands: %s%n",
        ROWS, roundTrips.size(), proxy.commandCount(), roundTrips);

    // Every row is locked and released (2 commands per row), but the round trips do not grow
    // with the rows: one claim for all partitions, then per partition one to lock, one to
    // release and one to ack; at most 2 more to load scripts into a fresh Redis.
    assertThat(proxy.commandCount()).isGreaterThanOrEqualTo(2 * ROWS);
    assertThat(roundTrips.size()).isLessThanOrEqualTo(1 + 3 * PARTITIONS + 2);

    // And the cache shows the flushed counters.
    factory.runInTransaction(
        em ->
            assertThat(MultiGet.byIds(em, Article.class, IDS).values())
                .extracting(Article::getViews)
                .containsOnly(1L));
  }
}
