package dev.coalesce.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Id;
import jakarta.persistence.QueryHint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.hibernate.SessionFactory;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.jpa.AvailableHints;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.QueryHints;
import org.springframework.data.jpa.repository.support.JpaRepositoryFactory;

/**
 * What Spring Data derived queries that return lists cost on the wire, with the multi-get cache on
 * Redis behind a counting proxy: a cacheable derived query (query cache, shallow layout) reads the
 * entities of its result with one multi-get; a plain one reads no cache entry (its rows come from
 * SQL) and sends the put-from-loads of its rows as one pipeline. Prints the measured figures.
 */
@RealServices
class DerivedQueryRoundTripTest {

  static final int N = 100;

  @Entity(name = "Item")
  @Cacheable
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  static class Item {
    @Id Long id;
    String label;

    Item() {}

    Item(Long id, String label) {
      this.id = id;
      this.label = label;
    }
  }

  interface ItemRepository extends JpaRepository<Item, Long> {
    List<Item> findByLabelStartingWithOrderById(String prefix);

    @QueryHints(@QueryHint(name = AvailableHints.HINT_CACHEABLE, value = "true"))
    List<Item> findByLabelEndingWithOrderById(String suffix);
  }

  static RedisServerProcess redis;
  static CountingRedisProxy proxy;
  static EntityManagerFactory emf;
  static Statistics statistics;

  record Measured(int roundTrips, long sql, List<CountingRedisProxy.RoundTrip> trips) {
    long count(String command) {
      return trips.stream()
          .map(CountingRedisProxy.RoundTrip::commands)
          .flatMap(List::stream)
          .filter(command::equals)
          .count();
    }
  }

  @BeforeAll
  static void boot(TestDatabase database) {
    redis = RedisServerProcess.start();
    proxy = CountingRedisProxy.start(redis.host(), redis.port());
    Map<String, Object> settings = database.hibernateProperties();
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.region.factory_class", "multiget");
    settings.put("hibernate.cache.use_query_cache", "true");
    settings.put("hibernate.cache.query_cache_layout", "SHALLOW");
    settings.put("hibernate.coalesce.redis.address", proxy.address());
    settings.put("hibernate.coalesce.cache.clock_sync_interval", "1h");
    settings.put("hibernate.generate_statistics", "true");
    emf =
        new HibernatePersistenceConfiguration("derived-queries")
            .managedClasses(Item.class)
            .properties(settings)
            .createEntityManagerFactory();
    statistics = emf.unwrap(SessionFactory.class).getStatistics();
    inTransaction(
        em -> {
          for (long id = 1; id <= N; id++) {
            em.persist(new Item(id, "item " + id + " x"));
          }
        });
  }

  @AfterAll
  static void close() {
    if (emf != null) {
      emf.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  static void inTransaction(Consumer<EntityManager> work) {
    EntityManager em = emf.createEntityManager();
    try {
      em.getTransaction().begin();
      work.accept(em);
      em.getTransaction().commit();
    } finally {
      em.close();
    }
  }

  static void withRepository(Consumer<ItemRepository> work) {
    inTransaction(
        em -> {
          JpaRepositoryFactory factory = new JpaRepositoryFactory(em);
          factory.setRepositoryBaseClass(MultiGetJpaRepository.class);
          work.accept(factory.getRepository(ItemRepository.class));
        });
  }

  static Measured measure(String row, Consumer<ItemRepository> work) {
    proxy.reset();
    statistics.clear();
    withRepository(work);
    Measured m =
        new Measured(
            proxy.roundTripCount(), statistics.getPrepareStatementCount(), proxy.roundTrips());
    System.out.printf(
        "[round trips] %-58s %3d round trips, %d SQL; hits %d, puts %d; wire: %s%n",
        row,
        m.roundTrips(),
        m.sql(),
        statistics.getSecondLevelCacheHitCount(),
        statistics.getSecondLevelCachePutCount(),
        m.trips());
    return m;
  }

  @Test
  void aCacheableDerivedQueryReadsItsEntitiesWithOneMultiGet() {
    emf.getCache().evictAll();
    withRepository(items -> items.findByLabelEndingWithOrderById(" x"));
    withRepository(items -> items.findAllById(List.of(1L, 2L)));
    withRepository(items -> items.findAllById(ids()));

    Measured m =
        measure(
            "derived query, cacheable, 100 entities, all cached",
            items -> {
              List<Item> found = items.findByLabelEndingWithOrderById(" x");
              assertThat(found).hasSize(N);
              assertThat(found.get(9).label).isEqualTo("item 10 x");
            });
    assertThat(statistics.getQueryCacheHitCount()).isOne();
    assertThat(m.sql()).isZero();
    // the query's entry, its table's update timestamp, one multi-get for the 100 entities
    // the query's entry (an MGET with its region's clear key), its table's update timestamp (a
    // GET), then one MGET for the entities
    assertThat(m.count("MGET")).isEqualTo(2);
    assertThat(m.count("GET")).isOne();
    assertThat(m.roundTrips()).isEqualTo(3);
  }

  @Test
  void aPlainDerivedQueryReadsNoCacheEntryAndWritesItsRowsBackInOnePipeline() {
    withRepository(items -> items.findAllById(ids()));
    Measured m =
        measure(
            "derived query, not cacheable, 100 entities, all cached",
            items -> assertThat(items.findByLabelStartingWithOrderById("item ")).hasSize(N));
    assertThat(m.sql()).isOne();
    assertThat(m.count("GET")).isZero();
    assertThat(m.count("MGET")).isZero();
    // Hibernate offers every row to the cache (put-from-load); they go out together, after the
    // call has returned (nobody waits for them)
    await("the write-backs on the wire")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(proxy.roundTrips())
                    .extracting(CountingRedisProxy.RoundTrip::commands)
                    .containsExactly(List.of("EVALSHA")));
  }

  static List<Long> ids() {
    return java.util.stream.LongStream.rangeClosed(1, N).boxed().toList();
  }
}
