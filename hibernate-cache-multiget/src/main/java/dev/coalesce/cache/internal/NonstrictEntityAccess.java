package dev.coalesce.cache.internal;

import dev.coalesce.redis.internal.BulkCacheLocking;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.cache.spi.support.EntityNonStrictReadWriteAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Hibernate's NONSTRICT_READ_WRITE entity access (no locks; unlocking deletes the entry), with the
 * deletes of many entries sent in one round trip.
 */
final class NonstrictEntityAccess extends EntityNonStrictReadWriteAccess
    implements BulkCacheLocking {

  private final RegionStorage storage;
  private final PutStatistic putStatistic;

  NonstrictEntityAccess(
      DomainDataRegion region,
      CacheKeysFactory keys,
      RegionStorage storage,
      EntityDataCachingConfig config) {
    super(region, keys, storage, config);
    this.storage = storage;
    this.putStatistic = PutStatistic.entity(config.getNavigableRole(), region.getName());
  }

  /** True only if the value was stored now (Hibernate's access says true whatever happened). */
  @Override
  public boolean putFromLoad(
      SharedSessionContractImplementor session, Object key, Object value, Object version) {
    return storage.putFromLoad(key, value, session, putStatistic);
  }

  /** As {@code lockItem}: nothing is locked (and Redis is not called). */
  @Override
  public List<SoftLock> lockItems(SharedSessionContractImplementor session, List<Object> keys) {
    return new ArrayList<>(Collections.nCopies(keys.size(), null));
  }

  /** As {@code unlockItem}: deletes every entry, in one round trip. */
  @Override
  public void unlockItems(
      SharedSessionContractImplementor session, List<Object> keys, List<SoftLock> locks) {
    storage.removeAllFromCache(keys, session);
  }
}
