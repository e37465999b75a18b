package dev.coalesce.cache.internal;

import dev.coalesce.redis.internal.BufferedCounterEntities;
import org.hibernate.cache.CacheException;
import org.hibernate.cache.cfg.spi.CollectionDataCachingConfig;
import org.hibernate.cache.cfg.spi.DomainDataCachingConfig;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.cfg.spi.EntityDataCachingConfig;
import org.hibernate.cache.cfg.spi.NaturalIdDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.RegionFactory;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.CollectionDataAccess;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.cache.spi.support.DomainDataRegionTemplate;

/**
 * A region of entity, collection and natural-id data. READ_ONLY and NONSTRICT_READ_WRITE use
 * Hibernate's own access classes over {@link RegionStorage}, subclassed so that a put-from-load
 * says whether it stored (and, for entities, to lock and unlock many keys in one round trip);
 * READ_WRITE uses this module's cross-JVM {@link ReadWriteAccess}; TRANSACTIONAL is refused.
 */
final class MultigetDomainDataRegion extends DomainDataRegionTemplate {

  public MultigetDomainDataRegion(
      DomainDataRegionConfig config,
      RegionFactory factory,
      RegionStorage storage,
      CacheKeysFactory keys,
      DomainDataRegionBuildingContext context) {
    super(config, factory, storage, keys, context);
  }

  private RegionStorage storage() {
    // Called from the super constructor too: the storage is the only state needed.
    return (RegionStorage) getCacheStorageAccess();
  }

  @Override
  public EntityDataAccess generateEntityAccess(EntityDataCachingConfig config) {
    return switch (config.getAccessType()) {
      case READ_WRITE ->
          new EntityReadWriteAccess(
              this,
              getEffectiveKeysFactory(),
              storage(),
              config,
              getSessionFactory()
                  .getServiceRegistry()
                  .requireService(BufferedCounterEntities.class));
      case NONSTRICT_READ_WRITE ->
          new NonstrictEntityAccess(this, getEffectiveKeysFactory(), storage(), config);
      case READ_ONLY ->
          new ReadOnlyEntityAccess(this, getEffectiveKeysFactory(), storage(), config);
      case TRANSACTIONAL -> throw refuseTransactional(config, "Entity");
    };
  }

  @Override
  public CollectionDataAccess generateCollectionAccess(CollectionDataCachingConfig config) {
    return switch (config.getAccessType()) {
      case READ_WRITE ->
          new CollectionReadWriteAccess(this, getEffectiveKeysFactory(), storage(), config);
      case NONSTRICT_READ_WRITE ->
          new PlainCollectionAndNaturalIdAccess.NonstrictCollection(
              this, getEffectiveKeysFactory(), storage(), config);
      case READ_ONLY ->
          new PlainCollectionAndNaturalIdAccess.ReadOnlyCollection(
              this, getEffectiveKeysFactory(), storage(), config);
      case TRANSACTIONAL -> throw refuseTransactional(config, "Collection");
    };
  }

  @Override
  public NaturalIdDataAccess generateNaturalIdAccess(NaturalIdDataCachingConfig config) {
    return switch (config.getAccessType()) {
      case READ_WRITE ->
          new NaturalIdReadWriteAccess(this, getEffectiveKeysFactory(), storage(), config);
      case NONSTRICT_READ_WRITE ->
          new PlainCollectionAndNaturalIdAccess.NonstrictNaturalId(
              this, getEffectiveKeysFactory(), storage(), config);
      case READ_ONLY ->
          new PlainCollectionAndNaturalIdAccess.ReadOnlyNaturalId(
              this, getEffectiveKeysFactory(), storage(), config);
      case TRANSACTIONAL -> throw refuseTransactional(config, "Natural id of");
    };
  }

  static CacheException refuseTransactional(DomainDataCachingConfig config, String what) {
    return new CacheException(
        what
            + " "
            + config.getNavigableRole().getFullPath()
            + " is cached with @Cache(usage = "
            + AccessType.TRANSACTIONAL.name()
            + "), which the multiget second-level cache (hibernate.cache.region.factory_class ="
            + " multiget) does not support: TRANSACTIONAL needs a cache that enlists in JTA/XA"
            + " transactions, and Redis cannot. Use READ_WRITE (safe across nodes with this"
            + " cache) or NONSTRICT_READ_WRITE.");
  }
}
