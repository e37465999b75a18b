package dev.coalesce.cache.internal;

import dev.coalesce.cache.CacheReport;
import dev.coalesce.cache.CacheSettings;
import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.internal.LuaScript;
import dev.coalesce.redis.internal.RedisClock;
import dev.coalesce.redis.internal.RedisConnection;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.redis.internal.SettingsReader;
import dev.coalesce.redis.internal.Timing;
import dev.coalesce.redis.internal.metrics.CoalesceMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hibernate.boot.spi.SessionFactoryOptions;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.CacheTransactionSynchronization;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.cache.spi.support.StorageAccess;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jboss.logging.Logger;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;

/**
 * One started {@code multiget} cache: its settings, store, clock synchronisation and regions. The
 * API's {@code MultigetRegionFactory} holds one from its start to its stop and hands every call
 * Hibernate makes on it to this class, the only door from the API into this package (so the rest of
 * the package stays package-private).
 */
public final class CacheRuntime implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CacheRuntime.class);

  /** How long after a failed call Redis is tried again (by one caller). */
  private static final Duration OUTAGE_RETRY = Duration.ofSeconds(1);

  private static final CacheKeysFactory CACHE_KEYS = new MultigetCacheKeysFactory();

  private final RegionStores stores;
  private final ScheduledExecutorService clockSync;
  private final int batchPrefetchLimit;

  private CacheRuntime(
      RegionStores stores, ScheduledExecutorService clockSync, int batchPrefetchLimit) {
    this.stores = stores;
    this.clockSync = clockSync;
    this.batchPrefetchLimit = batchPrefetchLimit;
  }

  /** The keys of every region: plain ids, so that a multi-get can build them without Hibernate. */
  public static CacheKeysFactory cacheKeys() {
    return CACHE_KEYS;
  }

  /**
   * Reads and checks the settings, then starts the store: Redis (with its clock synchronised in the
   * background) or this JVM's.
   *
   * @throws CoalesceConfigurationException for a refused setting, naming it
   */
  public static CacheRuntime start(
      SessionFactoryOptions options, Map<String, Object> configValues) {
    if (options.isDirectReferenceCacheEntriesEnabled()) {
      // Hibernate would hand the cache the entity instances of immutable entities, to keep by
      // reference: an in-JVM cache's optimisation, which a shared store cannot honour.
      throw new CoalesceConfigurationException(
          AvailableSettings.USE_DIRECT_REFERENCE_CACHE_ENTRIES
              + "=true is not supported by the multiget second-level cache"
              + " (hibernate.cache.region.factory_class = multiget): it caches immutable entities"
              + " by reference to their instances, which a cache shared through Redis cannot hold;"
              + " allowed: false (the default)");
    }
    RedisConnection redis = options.getServiceRegistry().requireService(RedisConnection.class);
    CoalesceMetrics metrics = options.getServiceRegistry().requireService(CoalesceMetrics.class);
    Timing time = options.getServiceRegistry().requireService(Timing.class);
    CacheConfig config = CacheConfig.read(new SettingsReader(configValues), redis.isConfigured());
    if (config.store() != CacheSettings.Store.REDIS) {
      RegionStores local =
          RegionStores.local(
              metrics.factory(),
              time::nowMicros,
              time::nanoTime,
              redis.keys(),
              config.ttl(),
              config.regionTtls(),
              config.lockTimeout(),
              metrics.meters());
      return started(new CacheRuntime(local, null, config.batchPrefetchLimit()), config);
    }
    RedissonClient client = redis.client();
    RedisClock clock = RedisClock.of(client, time::nowMicros);
    try {
      clock.sync();
    } catch (RedisException e) {
      LOG.warnf(
          "SessionFactory '%s': second-level cache cannot read the TIME of Redis at %s at start"
              + " (%s); it uses this JVM's clock until Redis answers. Check that Redis runs and"
              + " is reachable from here",
          metrics.factory(), redis.describe(), RedisOutage.firstLine(e));
    }
    if (clock.isSynced()) { // Redis answered: no second timeout at boot if it does not
      try {
        // Without it, on a Redis restarted at an address this JVM used before, the first
        // pipeline (the region clear at boot, say) met NOSCRIPT and began an outage: 3 s in
        // which nothing was cached or served.
        LuaScript.loadEverywhere(client, EntryScript.ENTRY);
      } catch (RedisException e) {
        // the first pipeline that meets NOSCRIPT loads it, and its line says so
        LOG.debugf("Second-level cache: cannot load entry.lua at start: %s", e.getMessage());
      }
    }
    ScheduledExecutorService scheduler = time.newScheduler("coalesce-cache-clock");
    long syncMillis = config.clockSyncInterval().toMillis();
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            clock.sync();
          } catch (RedisException e) {
            LOG.debugf("Second-level cache: Redis TIME unavailable: %s", e.getMessage());
          }
        },
        syncMillis,
        syncMillis,
        TimeUnit.MILLISECONDS);
    RegionStores redisStores =
        RegionStores.redis(
            metrics.factory(),
            client,
            clock,
            redis.describe(),
            redis.keys(),
            config.ttl(),
            config.regionTtls(),
            config.lockTimeout(),
            config.waitReplicas(),
            config.waitReplicasTimeout(),
            OUTAGE_RETRY,
            time::nanoTime,
            metrics.meters());
    // Invalidations this node could not send reach Redis soon after it answers again, even if
    // this node serves nothing meanwhile.
    scheduler.scheduleWithFixedDelay(
        redisStores::resendPending,
        OUTAGE_RETRY.toMillis(),
        OUTAGE_RETRY.toMillis(),
        TimeUnit.MILLISECONDS);
    return started(new CacheRuntime(redisStores, scheduler, config.batchPrefetchLimit()), config);
  }

  private static CacheRuntime started(CacheRuntime runtime, CacheConfig config) {
    LOG.debugf(
        "Second-level cache 'multiget' started: store %s, ttl %s, lock timeout %s",
        config.store(), config.ttl(), config.lockTimeout());
    return runtime;
  }

  /** A region of entity, collection and natural-id data, with the access strategies it offers. */
  public DomainDataRegion buildDomainDataRegion(
      DomainDataRegionConfig regionConfig,
      RegionFactory factory,
      DomainDataRegionBuildingContext buildingContext) {
    return new MultigetDomainDataRegion(
        regionConfig,
        factory,
        stores.region(regionConfig.getRegionName()),
        CACHE_KEYS,
        buildingContext);
  }

  /** The storage of a region of entity, collection and natural-id data. */
  public DomainDataStorageAccess domainDataStorage(String regionName) {
    return stores.region(regionName);
  }

  /** The storage of a query results region. */
  public StorageAccess queryResultsStorage(String regionName) {
    return QueryResultsStorage.of(stores.region(regionName));
  }

  /** The storage of the update timestamps region. */
  public StorageAccess timestampsStorage(String regionName) {
    return stores.timestamps(regionName);
  }

  /** What one session's transaction reads ahead and writes back. */
  public CacheTransactionSynchronization newTransactionContext(
      SharedSessionContractImplementor session) {
    return stores.newTransactionCache(session);
  }

  /** The store's time in microseconds (Redis time as last synchronised): no round trip. */
  public long nextTimestamp() {
    return stores.nextTimestamp();
  }

  /** The soft-lock timeout in microseconds. */
  public long lockTimeoutMicros() {
    return stores.lockTimeoutMicros();
  }

  /** The most ids one batch fetch reads in one multi-get. */
  public int batchPrefetchLimit() {
    return batchPrefetchLimit;
  }

  /** The state of the store and its regions, for operators. */
  public CacheReport report() {
    return stores.report();
  }

  /** Waits (boundedly) until Redis has answered every write-back sent so far. */
  public boolean awaitWriteBacks() {
    return stores.awaitWriteBacks();
  }

  @Override
  public void close() {
    if (clockSync != null) {
      clockSync.shutdownNow();
    }
    stores.close();
  }
}
