package dev.coalesce.cache.internal;

import org.hibernate.cache.cfg.spi.CollectionDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.CollectionDataAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.collection.CollectionPersister;

/** READ_WRITE collection data, see {@link ReadWriteAccess}. */
final class CollectionReadWriteAccess extends ReadWriteAccess implements CollectionDataAccess {

  private final CacheKeysFactory keys;

  CollectionReadWriteAccess(
      DomainDataRegion region,
      CacheKeysFactory keys,
      RegionStorage storage,
      CollectionDataCachingConfig config) {
    super(region, storage, PutStatistic.collection(config.getNavigableRole(), region.getName()));
    this.keys = keys;
  }

  @Override
  public Object generateCacheKey(
      Object id,
      CollectionPersister collectionDescriptor,
      SessionFactoryImplementor factory,
      String tenantIdentifier) {
    return keys.createCollectionKey(id, collectionDescriptor, factory, tenantIdentifier);
  }

  @Override
  public Object getCacheKeyId(Object cacheKey) {
    return keys.getCollectionId(cacheKey);
  }
}
