package dev.coalesce.cache.internal;

import dev.coalesce.cache.CacheSettings;
import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.internal.SettingsReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The cache's settings ({@link CacheSettings}), read once and checked: at start by the region
 * factory, and before anything connects by {@link CacheKnownSettings#validate}.
 *
 * @param regionTtls TTLs of the regions named by {@code hibernate.coalesce.cache.region.<r>.ttl}
 */
record CacheConfig(
    CacheSettings.Store store,
    Duration ttl,
    Duration lockTimeout,
    Duration clockSyncInterval,
    int batchPrefetchLimit,
    int waitReplicas,
    Duration waitReplicasTimeout,
    Map<String, Duration> regionTtls) {

  /** Reads and checks the settings; {@code redisConfigured}: whether Redis settings were given. */
  public static CacheConfig read(SettingsReader settings, boolean redisConfigured) {
    CacheSettings.Store storeKind =
        settings.choice(
            CacheSettings.STORE,
            CacheSettings.Store.class,
            redisConfigured ? CacheSettings.Store.REDIS : CacheSettings.Store.LOCAL);
    Duration ttl = settings.duration(CacheSettings.TTL, Duration.ofHours(1));
    Duration lockTimeout = settings.duration(CacheSettings.LOCK_TIMEOUT, Duration.ofMinutes(1));
    Duration syncInterval =
        settings.duration(CacheSettings.CLOCK_SYNC_INTERVAL, Duration.ofSeconds(5));
    int batchPrefetchLimit =
        settings.positiveInt(
            CacheSettings.BATCH_PREFETCH_LIMIT, CacheSettings.DEFAULT_BATCH_PREFETCH_LIMIT);
    int waitReplicas = settings.nonNegativeInt(CacheSettings.WAIT_REPLICAS, 0);
    Duration waitReplicasTimeout =
        settings.duration(CacheSettings.WAIT_REPLICAS_TIMEOUT, Duration.ofSeconds(1));
    Map<String, Duration> regionTtls = new HashMap<>();
    settings
        .withPrefix(CacheSettings.REGION_PREFIX)
        .forEach(
            (rest, value) -> {
              if (!rest.endsWith(CacheSettings.REGION_TTL_SUFFIX)) {
                throw new CoalesceConfigurationException(
                    "Unknown setting "
                        + CacheSettings.REGION_PREFIX
                        + rest
                        + ": per-region settings are "
                        + CacheSettings.REGION_PREFIX
                        + "<region>"
                        + CacheSettings.REGION_TTL_SUFFIX);
              }
              String region =
                  rest.substring(0, rest.length() - CacheSettings.REGION_TTL_SUFFIX.length());
              regionTtls.put(
                  region, settings.duration(CacheSettings.regionTtl(region), Duration.ZERO));
            });
    return new CacheConfig(
        storeKind,
        ttl,
        lockTimeout,
        syncInterval,
        batchPrefetchLimit,
        waitReplicas,
        waitReplicasTimeout,
        Map.copyOf(regionTtls));
  }
}
