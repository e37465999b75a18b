package dev.coalesce.cache;

import dev.coalesce.cache.internal.region.CacheConfig;
import dev.coalesce.cache.internal.region.MultigetCacheKeysFactory;
import dev.coalesce.cache.internal.region.MultigetDomainDataRegion;
import dev.coalesce.cache.internal.region.QueryResultsStorage;
import dev.coalesce.cache.internal.region.RegionStores;
import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.internal.RedisClock;
import dev.coalesce.redis.internal.RedisConnection;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.redis.internal.SettingsReader;
import dev.coalesce.redis.internal.Timing;
import dev.coalesce.redis.internal.metrics.CoalesceMetrics;
import dev.coalesce.redis.internal.metrics.Meters;
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
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.cache.spi.support.RegionFactoryTemplate;
import org.hibernate.cache.spi.support.StorageAccess;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jboss.logging.Logger;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;

/**
 * A Hibernate second-level cache in Redis that loads many entities in one round trip. Select it
 * with {@code hibernate.cache.region.factory_class=multiget} (or this class's name); the Redis
 * connection comes from {@code hibernate.coalesce.redis.*}, the rest from {@link CacheSettings}.
 *
 * <p>One Redis key per entry; READ_ONLY, NONSTRICT_READ_WRITE and READ_WRITE (each READ_WRITE step
 * one atomic Lua script, safe across JVMs); TRANSACTIONAL is refused at boot. {@code
 * session.findMultiple}, {@code byMultipleIds().multiLoad}, {@code StatelessSession.getMultiple}
 * and batch fetching read all their ids with one multi-get and write the misses back in one
 * pipeline. Session timestamps are Redis time without a round trip per session.
 *
 * <p>Over our usual 250 lines: the overrides Hibernate's {@code RegionFactoryTemplate} asks for,
 * and the settings read and checked at start; the rest is in the internal packages.
 */
public class MultigetRegionFactory extends RegionFactoryTemplate {

  private static final Logger LOG = Logger.getLogger(MultigetRegionFactory.class);

  /** How long after a failed call Redis is tried again (by one caller). */
  private static final Duration OUTAGE_RETRY = Duration.ofSeconds(1);

  private final MultigetCacheKeysFactory cacheKeys = new MultigetCacheKeysFactory();
  private volatile RegionStores stores;
  private volatile ScheduledExecutorService clockSync;
  private volatile Timing timing = Timing.system();
  private volatile int batchPrefetchLimit = CacheSettings.DEFAULT_BATCH_PREFETCH_LIMIT;
  private volatile RuntimeException startFailure;

  public MultigetRegionFactory() {}

  /**
   * Throws what kept this factory from starting (a refused setting, Redis not answering), as it was
   * thrown. Hibernate's {@code start} keeps that failure to itself and reports it, if ever, as the
   * cause of "Cache provider not started" when a region is built; a factory with no cached data
   * builds none, booted, and its sessions failed. Public so that the cache's integrator calls it at
   * boot, before any region is built, which fails the boot with this message as the cause.
   */
  @Override
  public void verifyStarted() {
    if (!verifiedStartStatus()) {
      RuntimeException failure = startFailure;
      if (failure != null) {
        throw failure;
      }
      super.verifyStarted();
    }
  }

  @Override
  protected void prepareForUse(SessionFactoryOptions options, Map<String, Object> configValues) {
    startFailure = null;
    try {
      startStores(options, new SettingsReader(configValues));
    } catch (RuntimeException e) {
      startFailure = e;
      throw e;
    }
  }

  private void startStores(SessionFactoryOptions options, SettingsReader settings) {
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
    timing = time;
    Meters meters = metrics.meters();
    CacheConfig config = CacheConfig.read(settings, redis.isConfigured());
    CacheSettings.Store storeKind = config.store();
    Duration ttl = config.ttl();
    Duration lockTimeout = config.lockTimeout();
    Duration syncInterval = config.clockSyncInterval();
    batchPrefetchLimit = config.batchPrefetchLimit();
    int waitReplicas = config.waitReplicas();
    Duration waitReplicasTimeout = config.waitReplicasTimeout();
    Map<String, Duration> regionTtls = config.regionTtls();

    if (storeKind == CacheSettings.Store.REDIS) {
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
      ScheduledExecutorService scheduler = time.newScheduler("coalesce-cache-clock");
      scheduler.scheduleWithFixedDelay(
          () -> {
            try {
              clock.sync();
            } catch (RedisException e) {
              LOG.debugf("Second-level cache: Redis TIME unavailable: %s", e.getMessage());
            }
          },
          syncInterval.toMillis(),
          syncInterval.toMillis(),
          TimeUnit.MILLISECONDS);
      clockSync = scheduler;
      RegionStores redisStores =
          RegionStores.redis(
              metrics.factory(),
              client,
              clock,
              redis.describe(),
              redis.keys(),
              ttl,
              regionTtls,
              lockTimeout,
              waitReplicas,
              waitReplicasTimeout,
              OUTAGE_RETRY,
              time::nanoTime,
              meters);
      stores = redisStores;
      // Invalidations this node could not send reach Redis soon after it answers again, even if
      // this node serves nothing meanwhile.
      scheduler.scheduleWithFixedDelay(
          redisStores::resendPending,
          OUTAGE_RETRY.toMillis(),
          OUTAGE_RETRY.toMillis(),
          TimeUnit.MILLISECONDS);
    } else {
      stores =
          RegionStores.local(
              metrics.factory(),
              time::nowMicros,
              time::nanoTime,
              redis.keys(),
              ttl,
              regionTtls,
              lockTimeout,
              meters);
    }
    LOG.debugf(
        "Second-level cache 'multiget' started: store %s, ttl %s, lock timeout %s",
        storeKind, ttl, lockTimeout);
  }

  @Override
  protected void releaseFromUse() {
    ScheduledExecutorService scheduler = clockSync;
    if (scheduler != null) {
      scheduler.shutdownNow();
      clockSync = null;
    }
    RegionStores current = stores;
    if (current != null) {
      current.close();
    }
  }

  @Override
  protected CacheKeysFactory getImplicitCacheKeysFactory() {
    return cacheKeys;
  }

  @Override
  public DomainDataRegion buildDomainDataRegion(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    verifyStarted();
    return new MultigetDomainDataRegion(
        regionConfig,
        this,
        stores.region(regionConfig.getRegionName()),
        getImplicitCacheKeysFactory(),
        buildingContext);
  }

  @Override
  protected DomainDataStorageAccess createDomainDataStorageAccess(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    return stores.region(regionConfig.getRegionName());
  }

  @Override
  protected StorageAccess createQueryResultsRegionStorageAccess(
      String regionName, SessionFactoryImplementor sessionFactory) {
    return QueryResultsStorage.of(stores.region(regionName));
  }

  @Override
  protected StorageAccess createTimestampsRegionStorageAccess(
      String regionName, SessionFactoryImplementor sessionFactory) {
    return stores.timestamps(regionName);
  }

  @Override
  public CacheTransactionSynchronization createTransactionContext(
      SharedSessionContractImplementor session) {
    verifyStarted();
    return stores.newTransactionCache(session);
  }

  /** Redis time in microseconds (local clock plus measured offset): no round trip. */
  @Override
  public long nextTimestamp() {
    RegionStores current = stores;
    return current == null ? timing.nowMicros() : current.nextTimestamp();
  }

  /** The soft-lock timeout in {@link #nextTimestamp()} units (microseconds). */
  @Override
  public long getTimeout() {
    RegionStores current = stores;
    return current == null ? Duration.ofMinutes(1).toNanos() / 1_000 : current.lockTimeoutMicros();
  }

  @Override
  public AccessType getDefaultAccessType() {
    return AccessType.READ_WRITE;
  }

  /** The stores of this factory's regions, once started. */
  RegionStores stores() {
    verifyStarted();
    return stores;
  }

  /**
   * The most ids one batch fetch reads in one multi-get ({@link
   * CacheSettings#BATCH_PREFETCH_LIMIT}).
   */
  public int batchPrefetchLimit() {
    return batchPrefetchLimit;
  }
}
