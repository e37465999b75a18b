package dev.coalesce.cache.internal;

import org.hibernate.cache.cfg.spi.NaturalIdDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;

/** READ_WRITE natural-id resolutions, see {@link ReadWriteAccess}. */
final class NaturalIdReadWriteAccess extends ReadWriteAccess implements NaturalIdDataAccess {

  private final CacheKeysFactory keys;

  NaturalIdReadWriteAccess(
      DomainDataRegion region,
      CacheKeysFactory keys,
      RegionStorage storage,
      NaturalIdDataCachingConfig config) {
    super(region, storage, PutStatistic.naturalId(config.getNavigableRole(), region.getName()));
    this.keys = keys;
  }

  @Override
  public Object generateCacheKey(
      Object naturalIdValues,
      EntityPersister rootEntityDescriptor,
      SharedSessionContractImplementor session) {
    return keys.createNaturalIdKey(naturalIdValues, rootEntityDescriptor, session);
  }

  @Override
  public Object getNaturalIdValues(Object cacheKey) {
    return keys.getNaturalIdValues(cacheKey);
  }

  @Override
  public boolean insert(SharedSessionContractImplementor session, Object key, Object value) {
    return false;
  }

  @Override
  public boolean afterInsert(SharedSessionContractImplementor session, Object key, Object value) {
    return super.afterInsert(session, key, value, null);
  }

  @Override
  public boolean update(SharedSessionContractImplementor session, Object key, Object value) {
    return false;
  }

  @Override
  public boolean afterUpdate(
      SharedSessionContractImplementor session, Object key, Object value, SoftLock lock) {
    return super.afterUpdate(session, key, value, null, lock);
  }
}
