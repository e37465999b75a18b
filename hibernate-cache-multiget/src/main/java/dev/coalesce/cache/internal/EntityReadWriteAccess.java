package dev.coalesce.cache.internal;

import dev.coalesce.redis.internal.BufferedCounterEntities;
import dev.coalesce.redis.internal.BulkCacheLocking;
import java.util.List;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.model.domain.NavigableRole;
import org.hibernate.persister.entity.EntityPersister;

/**
 * READ_WRITE entity data, see {@link ReadWriteAccess}; locks many entries in one round trip.
 *
 * <p>For an entity with buffered counters ({@link BufferedCounterEntities}) an update's value is
 * never cached: the session may have loaded the row before a counter flush, and Hibernate hands the
 * cache its whole state, old counter included. After-update then only releases the writer's lock,
 * so the next read loads the row (a put-from-load from a transaction that started before the
 * release is refused, as for every lock). After-insert still caches: it only fills an empty key,
 * and a flush locks the key before it adds to the inserted row.
 */
final class EntityReadWriteAccess extends ReadWriteAccess
    implements EntityDataAccess, BulkCacheLocking {

  private final CacheKeysFactory keys;
  private final List<String> entityNames;
  private final BufferedCounterEntities counterEntities;

  EntityReadWriteAccess(
      DomainDataRegion region,
      CacheKeysFactory keys,
      RegionStorage storage,
      EntityDataCachingConfig config,
      BufferedCounterEntities counterEntities) {
    super(region, storage, PutStatistic.entity(config.getNavigableRole(), region.getName()));
    this.keys = keys;
    this.entityNames = config.getCachedTypes().stream().map(NavigableRole::getFullPath).toList();
    this.counterEntities = counterEntities;
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
    if (counterEntities.containsAny(entityNames)) {
      unlockItem(session, key, lock);
      return false;
    }
    return super.afterUpdate(session, key, value, currentVersion, lock);
  }
}
