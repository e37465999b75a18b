package dev.coalesce.cache;

import dev.coalesce.cache.internal.CacheRuntime;
import dev.coalesce.redis.internal.Timing;
import java.time.Duration;
import java.util.Map;
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
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

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
 * <p>The overrides Hibernate's {@code RegionFactoryTemplate} asks for; each hands its work to the
 * started cache (the internal {@code CacheRuntime}).
 */
public class MultigetRegionFactory extends RegionFactoryTemplate {

  private volatile CacheRuntime runtime;
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
      runtime = CacheRuntime.start(options, configValues);
    } catch (RuntimeException e) {
      startFailure = e;
      throw e;
    }
  }

  @Override
  protected void releaseFromUse() {
    CacheRuntime current = runtime;
    if (current != null) {
      current.close();
    }
  }

  @Override
  protected CacheKeysFactory getImplicitCacheKeysFactory() {
    return CacheRuntime.cacheKeys();
  }

  @Override
  public DomainDataRegion buildDomainDataRegion(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    verifyStarted();
    return runtime.buildDomainDataRegion(regionConfig, this, buildingContext);
  }

  @Override
  protected DomainDataStorageAccess createDomainDataStorageAccess(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    return runtime.domainDataStorage(regionConfig.getRegionName());
  }

  @Override
  protected StorageAccess createQueryResultsRegionStorageAccess(
      String regionName, SessionFactoryImplementor sessionFactory) {
    return runtime.queryResultsStorage(regionName);
  }

  @Override
  protected StorageAccess createTimestampsRegionStorageAccess(
      String regionName, SessionFactoryImplementor sessionFactory) {
    return runtime.timestampsStorage(regionName);
  }

  @Override
  public CacheTransactionSynchronization createTransactionContext(
      SharedSessionContractImplementor session) {
    verifyStarted();
    return runtime.newTransactionContext(session);
  }

  /** Redis time in microseconds (local clock plus measured offset): no round trip. */
  @Override
  public long nextTimestamp() {
    CacheRuntime current = runtime;
    return current == null ? Timing.system().nowMicros() : current.nextTimestamp();
  }

  /** The soft-lock timeout in {@link #nextTimestamp()} units (microseconds). */
  @Override
  public long getTimeout() {
    CacheRuntime current = runtime;
    return current == null ? Duration.ofMinutes(1).toNanos() / 1_000 : current.lockTimeoutMicros();
  }

  @Override
  public AccessType getDefaultAccessType() {
    return AccessType.READ_WRITE;
  }

  /** The started cache; for {@link CacheReport} and tests. */
  CacheRuntime runtime() {
    verifyStarted();
    return runtime;
  }

  /**
   * The most ids one batch fetch reads in one multi-get ({@link
   * CacheSettings#BATCH_PREFETCH_LIMIT}).
   */
  public int batchPrefetchLimit() {
    CacheRuntime current = runtime;
    return current == null
        ? CacheSettings.DEFAULT_BATCH_PREFETCH_LIMIT
        : current.batchPrefetchLimit();
  }
}
