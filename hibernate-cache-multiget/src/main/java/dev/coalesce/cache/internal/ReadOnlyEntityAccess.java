package dev.coalesce.cache.internal;

import dev.coalesce.redis.internal.BulkCacheLocking;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.cache.spi.support.EntityReadOnlyAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Hibernate's READ_ONLY entity access (no locks; unlocking evicts the entry), with the evictions of
 * many entries sent in one round trip.
 */
final class ReadOnlyEntityAccess extends EntityReadOnlyAccess implements BulkCacheLocking {

  private final RegionStorage storage;
  private final PutStatistic putStatistic;

  ReadOnlyEntityAccess(
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

  /** As {@code unlockItem}: evicts every entry, in one round trip. */
  @Override
  public void unlockItems(
      SharedSessionContractImplementor session, List<Object> keys, List<SoftLock> locks) {
    storage.removeAllFromCache(keys, session);
  }
}
