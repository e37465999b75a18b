package dev.coalesce.cache.region;

import dev.coalesce.redis.BulkCacheLocking;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;

/** READ_WRITE entity data, see {@link ReadWriteAccess}; locks many entries in one round trip. */
final class EntityReadWriteAccess extends ReadWriteAccess
    implements EntityDataAccess, BulkCacheLocking {

  private final CacheKeysFactory keys;

  EntityReadWriteAccess(
      DomainDataRegion region,
      CacheKeysFactory keys,
      RegionStorage storage,
      EntityDataCachingConfig config) {
    super(region, storage);
    this.keys = keys;
  }

  @Override
  public Object generateCacheKey(
      Object id,
      EntityPersister rootEntityDescriptor,
      SessionFactoryImplementor factory,
      String tenantIdentifier) {
    return keys.createEntityKey(id, rootEntityDescriptor, factory, tenantIdentifier);
  }

  @Override
  public Object getCacheKeyId(Object cacheKey) {
    return keys.getEntityId(cacheKey);
  }

  @Override
  public boolean insert(
      SharedSessionContractImplementor session, Object key, Object value, Object version) {
    return false;
  }

  @Override
  public boolean afterInsert(
      SharedSessionContractImplementor session, Object key, Object value, Object version) {
    return super.afterInsert(session, key, value, version);
  }

  @Override
  public boolean update(
      SharedSessionContractImplementor session,
      Object key,
      Object value,
      Object currentVersion,
      Object previousVersion) {
    return false;
  }

  @Override
  public boolean afterUpdate(
      SharedSessionContractImplementor session,
      Object key,
      Object value,
      Object currentVersion,
      Object previousVersion,
      SoftLock lock) {
    return super.afterUpdate(session, key, value, currentVersion, lock);
  }
}
