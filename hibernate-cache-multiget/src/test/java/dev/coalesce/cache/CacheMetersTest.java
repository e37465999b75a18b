package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.junit.jupiter.api.Test;

/**
 * The cache's meters in a registry given through {@value CoalesceSettings#METRICS_REGISTRY}, after
 * a known workload on real Redis: persists (Hibernate reads the cache for each), a cold multi-get
 * (misses, write-backs stored), a warm one (hits), one read on its own, and a multi-get of an entry
 * a writer holds locked (a miss, its write-back refused).
 */
@RealServices
class CacheMetersTest {

  private static final String FACTORY = "cache-meters-test";
  private static final String REGION = Counter.class.getName();
  private static final int N = 7;

  @Test
  void everyCacheMeterShowsTheWorkload(TestDatabase db, TestRedis redis) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put(CoalesceSettings.METRICS_REGISTRY, registry);
    settings.put("hibernate.session_factory_name", FACTORY);
    settings.put("hibernate.session_factory_name_is_jndi", "false");
    SessionFactory factory = Boot.factory(db, settings, Counter.class);
    try {
      List<Long> ids = LongStream.rangeClosed(1, N).boxed().toList();
      factory.inTransaction(s -> ids.forEach(id -> s.persist(new Counter(id))));
      // Hibernate asks the cache whether an entity with an assigned id exists: one read each
      assertThat(gets(registry, "miss")).isEqualTo(N);
      assertThat(multiGets(registry).count()).isZero();
      factory.getCache().evict(Counter.class);
      // the load below starts after the clear, so its write-backs count as stored
      Boot.pastStoreTime(factory, redis);

      // cold: one multi-get of N keys, all missing; the N rows loaded are written back
      assertThat(findMultiple(factory, ids)).hasSize(N);
      assertThat(multiGets(registry).count()).isEqualTo(1);
      assertThat(keys(registry).totalAmount()).isEqualTo(N);
      assertThat(gets(registry, "miss")).isEqualTo(2 * N);
      assertThat(gets(registry, "hit")).isZero();
      Boot.settled(factory);
      assertThat(writeBacks(registry, "stored")).isEqualTo(N);
      assertThat(writeBacks(registry, "refused")).isZero();

      // warm: one multi-get of N keys, all found
      assertThat(findMultiple(factory, ids)).hasSize(N);
      assertThat(multiGets(registry).count()).isEqualTo(2);
      assertThat(keys(registry).totalAmount()).isEqualTo(2 * N);
      assertThat(keys(registry).max()).isEqualTo(N);
      assertThat(gets(registry, "hit")).isEqualTo(N);

      // one entity on its own: one read, no multi-get
      Counter one = factory.fromTransaction(s -> s.find(Counter.class, 1L));
      assertThat(one).isNotNull();
      assertThat(gets(registry, "hit")).isEqualTo(N + 1);
      assertThat(multiGets(registry).count()).isEqualTo(2);

      // a writer holds entry 2 locked: the multi-get finds its lock (a miss) and the value
      // loaded from the database is refused
      var sfi = factory.unwrap(SessionFactoryImplementor.class);
      EntityPersister persister = sfi.getMappingMetamodel().getEntityDescriptor(Counter.class);
      EntityDataAccess access = persister.getCacheAccessStrategy();
      Object key = access.generateCacheKey(2L, persister, sfi, null);
      try (Session writer = factory.openSession()) {
        SoftLock lock = access.lockItem((SharedSessionContractImplementor) writer, key, null);
        assertThat(findMultiple(factory, List.of(2L))).hasSize(1);
        access.unlockItem((SharedSessionContractImplementor) writer, key, lock);
      }
      assertThat(multiGets(registry).count()).isEqualTo(3);
      assertThat(keys(registry).totalAmount()).isEqualTo(2 * N + 1);
      assertThat(gets(registry, "miss")).isEqualTo(2 * N + 1);
      assertThat(gets(registry, "hit")).isEqualTo(N + 1);
      Boot.settled(factory);
      assertThat(writeBacks(registry, "stored")).isEqualTo(N);
      assertThat(writeBacks(registry, "refused")).isEqualTo(1);
      assertThat(multiGets(registry).totalTime(TimeUnit.NANOSECONDS)).isPositive();

      for (Meter meter : registry.getMeters()) {
        assertThat(meter.getId().getTag("factory")).as(meter.getId().getName()).isEqualTo(FACTORY);
        if (REGION.equals(meter.getId().getTag("region"))) {
          System.out.println(meter.getId() + " " + meter.measure());
        }
      }
    } finally {
      factory.close();
    }
    assertThat(registry.getMeters()).as("a closed factory publishes nothing").isEmpty();
  }

  private static List<Counter> findMultiple(SessionFactory factory, List<Long> ids) {
    return factory.fromTransaction(s -> s.findMultiple(Counter.class, ids));
  }

  private static Timer multiGets(SimpleMeterRegistry registry) {
    return registry
        .get("coalesce.cache.multiget")
        .tags("factory", FACTORY, "region", REGION)
        .timer();
  }

  private static DistributionSummary keys(SimpleMeterRegistry registry) {
    return registry
        .get("coalesce.cache.multiget.keys")
        .tags("factory", FACTORY, "region", REGION)
        .summary();
  }

  private static double gets(SimpleMeterRegistry registry, String result) {
    return count(registry, "coalesce.cache.gets", result);
  }

  private static double writeBacks(SimpleMeterRegistry registry, String result) {
    return count(registry, "coalesce.cache.writebacks", result);
  }

  private static double count(SimpleMeterRegistry registry, String name, String result) {
    return registry
        .get(name)
        .tags("factory", FACTORY, "region", REGION, "result", result)
        .counter()
        .count();
  }
}
