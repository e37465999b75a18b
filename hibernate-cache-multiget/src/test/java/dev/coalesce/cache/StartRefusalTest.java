package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A setting the cache refuses fails the boot with the cache's own message as the cause of the
 * boot's exception, whether or not the factory caches anything. Hibernate's region factory start
 * keeps such a failure to itself (Hibernate ORM's {@code ReferenceCacheTest} and {@code
 * DirectReferenceCacheEntriesTest} found it): with cached entities the boot failed with "Cache
 * provider not started" and the message three causes down; without, the factory booted and every
 * session threw a NullPointerException.
 */
@RealServices
class StartRefusalTest {

  static final String REFERENCE_ENTRIES_REFUSED =
      "hibernate.cache.use_reference_entries=true is not supported by the multiget second-level"
          + " cache (hibernate.cache.region.factory_class = multiget): it caches immutable"
          + " entities by reference to their instances, which a cache shared through Redis cannot"
          + " hold; allowed: false (the default)";

  static TestDatabase db;
  static TestRedis redis;

  @BeforeAll
  static void services(TestDatabase database, TestRedis testRedis) {
    db = database;
    redis = testRedis;
  }

  static Map<String, Object> settings(String refused, String value) {
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put(refused, value);
    return settings;
  }

  @ParameterizedTest(name = "cached entities: {0}")
  @ValueSource(booleans = {true, false})
  void referenceEntriesAreRefusedWithTheCachesMessage(boolean cachedEntities) {
    Map<String, Object> settings = settings("hibernate.cache.use_reference_entries", "true");
    // Country is immutable and cached; Plain is not cached, and the query cache is off
    Class<?> entity = cachedEntities ? Country.class : Plain.class;
    assertThatThrownBy(() -> Boot.factory(db, settings, entity).close())
        .isInstanceOf(PersistenceException.class)
        .hasMessageContaining("Unable to build Hibernate SessionFactory")
        .cause()
        .isExactlyInstanceOf(CoalesceConfigurationException.class)
        .hasMessage(REFERENCE_ENTRIES_REFUSED)
        .hasNoCause();
  }

  @ParameterizedTest(name = "cached entities: {0}")
  @ValueSource(booleans = {true, false})
  void anInvalidCacheSettingIsRefusedWithTheCachesMessage(boolean cachedEntities) {
    Map<String, Object> settings = settings(CacheSettings.TTL, "10");
    Class<?> entity = cachedEntities ? Country.class : Plain.class;
    // checked with every Coalesce setting when the factory's Redis connection is created, before
    // anything connects: the first cause a user reads carries the cache's message
    assertThatThrownBy(() -> Boot.factory(db, settings, entity).close())
        .isInstanceOf(PersistenceException.class)
        .satisfies(
            failure ->
                assertThat(failure.getCause())
                    .hasMessageContaining(CacheSettings.TTL)
                    .hasMessageContaining("unit")
                    .hasMessageNotContaining("Cache provider not started"))
        .rootCause()
        .isExactlyInstanceOf(CoalesceConfigurationException.class)
        .hasMessageContaining(CacheSettings.TTL);
  }

  @Entity
  public static class Plain {
    @Id Long id;

    String name;
  }
}
