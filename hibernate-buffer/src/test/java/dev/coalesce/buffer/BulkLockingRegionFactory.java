package dev.coalesce.buffer;

import dev.coalesce.redis.internal.BulkCacheLocking;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.cache.spi.support.DomainDataRegionTemplate;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.cache.spi.support.EntityReadWriteAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * {@link MapRegionFactory} whose READ_WRITE entity accesses also lock in bulk ({@link
 * BulkCacheLocking}, as the multi-get cache's do), counting the calls of each kind.
 */
public class BulkLockingRegionFactory extends MapRegionFactory {

  static final AtomicInteger BULK_LOCK_CALLS = new AtomicInteger();
  static final AtomicInteger BULK_LOCKED_KEYS = new AtomicInteger();
  static final AtomicInteger BULK_UNLOCK_CALLS = new AtomicInteger();
  static final AtomicInteger SINGLE_LOCK_CALLS = new AtomicInteger();
  static final AtomicInteger SINGLE_UNLOCK_CALLS = new AtomicInteger();

  static void resetCounts() {
    for (AtomicInteger count :
        List.of(
            BULK_LOCK_CALLS,
            BULK_LOCKED_KEYS,
            BULK_UNLOCK_CALLS,
            SINGLE_LOCK_CALLS,
            SINGLE_UNLOCK_CALLS)) {
      count.set(0);
    }
  }

  @Override
  public DomainDataRegion buildDomainDataRegion(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    return new DomainDataRegionTemplate(
        regionConfig,
        this,
        createDomainDataStorageAccess(regionConfig, buildingContext),
        getImplicitCacheKeysFactory(),
        buildingContext) {
      @Override
      protected EntityDataAccess generateReadWriteEntityAccess(EntityDataCachingConfig config) {
        return new BulkAccess(this, getEffectiveKeysFactory(), getCacheStorageAccess(), config);
      }
    };
  }

  static final class BulkAccess extends EntityReadWriteAccess implements BulkCacheLocking {

    BulkAccess(
        DomainDataRegion region,
        CacheKeysFactory keys,
        DomainDataStorageAccess storage,
        EntityDataCachingConfig config) {
      super(region, keys, storage, config);
    }

    @Override
    public SoftLock lockItem(SharedSessionContractImplementor session, Object key, Object version) {
      SINGLE_LOCK_CALLS.incrementAndGet();
      return super.lockItem(session, key, version);
    }

    @Override
    public void unlockItem(SharedSessionContractImplementor session, Object key, SoftLock lock) {
      SINGLE_UNLOCK_CALLS.incrementAndGet();
      super.unlockItem(session, key, lock);
    }

    @Override
    public List<SoftLock> lockItems(SharedSessionContractImplementor session, List<Object> keys) {
      BULK_LOCK_CALLS.incrementAndGet();
      BULK_LOCKED_KEYS.addAndGet(keys.size());
      List<SoftLock> locks = new ArrayList<>(keys.size());
      for (Object key : keys) {
        locks.add(super.lockItem(session, key, null));
      }
      return locks;
    }

    @Override
    public void unlockItems(
        SharedSessionContractImplementor session, List<Object> keys, List<SoftLock> locks) {
      BULK_UNLOCK_CALLS.incrementAndGet();
      for (int i = 0; i < keys.size(); i++) {
        super.unlockItem(session, keys.get(i), locks.get(i));
      }
    }
  }
}
