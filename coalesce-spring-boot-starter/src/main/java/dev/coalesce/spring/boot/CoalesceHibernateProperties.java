package dev.coalesce.spring.boot;

import dev.coalesce.redis.CoalesceSettings;
import java.util.Locale;
import java.util.Map;
import org.redisson.api.RedissonClient;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.util.ClassUtils;

/**
 * Puts the {@code coalesce.*} application properties into Hibernate's properties under their {@code
 * hibernate.coalesce.*} keys (durations in ISO-8601, which the modules read). A key already given
 * through {@code spring.jpa.properties} keeps its value. The keys of a module that is not on the
 * class path are left out, so its defaults never trip the unknown-setting check.
 */
final class CoalesceHibernateProperties implements HibernatePropertiesCustomizer {

  static final String BUFFER_MODULE = "dev.coalesce.buffer.CounterBuffer";
  static final String CACHE_MODULE = "dev.coalesce.cache.MultigetRegionFactory";

  // The modules' keys, spelled here because each module is optional: naming its settings class
  // would load it. CoalescePropertiesTest checks each against the module's constant.
  static final String BUFFER = CoalesceSettings.PREFIX + "buffer.";
  static final String CACHE = CoalesceSettings.PREFIX + "cache.";

  private final CoalesceProperties properties;
  private final RedissonClient applicationClient;
  private final ClassLoader loader;

  /**
   * @param applicationClient the application's RedissonClient bean, or null
   * @param loader the application's class loader, where the modules are looked for
   */
  CoalesceHibernateProperties(
      CoalesceProperties properties, RedissonClient applicationClient, ClassLoader loader) {
    this.properties = properties;
    this.applicationClient = applicationClient;
    this.loader = loader;
  }

  @Override
  public void customize(Map<String, Object> hibernate) {
    CoalesceProperties.Redis redis = properties.getRedis();
    putIfSet(hibernate, CoalesceSettings.REDIS_ADDRESS, redis.getAddress());
    putIfSet(hibernate, CoalesceSettings.REDIS_CONFIG, redis.getConfig());
    boolean redisGiven =
        hibernate.containsKey(CoalesceSettings.REDIS_ADDRESS)
            || hibernate.containsKey(CoalesceSettings.REDIS_CONFIG)
            || hibernate.containsKey(CoalesceSettings.REDIS_CLIENT);
    if (!redisGiven && redis.isUseApplicationClient() && applicationClient != null) {
      hibernate.put(CoalesceSettings.REDIS_CLIENT, applicationClient);
    }
    putIfSet(hibernate, CoalesceSettings.NAMESPACE, redis.getNamespace());

    if (ClassUtils.isPresent(BUFFER_MODULE, loader)) {
      CoalesceProperties.Buffer buffer = properties.getBuffer();
      putIfSet(hibernate, BUFFER + "enabled", buffer.isEnabled());
      putIfSet(hibernate, BUFFER + "store", store(buffer.getStore()));
      putIfSet(hibernate, BUFFER + "flush_interval", buffer.getFlushInterval());
      putIfSet(hibernate, BUFFER + "partitions", buffer.getPartitions());
      putIfSet(hibernate, BUFFER + "max_rows_per_flush", buffer.getMaxRowsPerFlush());
      putIfSet(hibernate, BUFFER + "shutdown_timeout", buffer.getShutdownTimeout());
      putIfSet(hibernate, BUFFER + "push_timeout", buffer.getPushTimeout());
      putIfSet(hibernate, BUFFER + "max_queued_deltas", buffer.getMaxQueuedDeltas());
      putIfSet(hibernate, BUFFER + "wait_replicas", buffer.getWaitReplicas());
    }
    if (ClassUtils.isPresent(CACHE_MODULE, loader)) {
      CoalesceProperties.Cache cache = properties.getCache();
      if (cache.isEnabled()) {
        hibernate.putIfAbsent("hibernate.cache.use_second_level_cache", "true");
        hibernate.putIfAbsent("hibernate.cache.region.factory_class", "multiget");
      }
      putIfSet(hibernate, CACHE + "store", store(cache.getStore()));
      putIfSet(hibernate, CACHE + "ttl", cache.getTtl());
      cache
          .getRegionTtl()
          .forEach((region, ttl) -> putIfSet(hibernate, CACHE + "region." + region + ".ttl", ttl));
      putIfSet(hibernate, CACHE + "lock_timeout", cache.getLockTimeout());
      putIfSet(hibernate, CACHE + "clock_sync_interval", cache.getClockSyncInterval());
      putIfSet(hibernate, CACHE + "batch_prefetch_limit", cache.getBatchPrefetchLimit());
      putIfSet(hibernate, CACHE + "wait_replicas", cache.getWaitReplicas());
      putIfSet(hibernate, CACHE + "wait_replicas_timeout", cache.getWaitReplicasTimeout());
    }
  }

  private static String store(CoalesceProperties.Store store) {
    return store == null ? null : store.name().toLowerCase(Locale.ROOT);
  }

  private static void putIfSet(Map<String, Object> hibernate, String key, Object value) {
    if (value != null) {
      // a Duration's toString is ISO-8601 (PT5S), which the modules accept
      hibernate.putIfAbsent(key, value.toString());
    }
  }
}
