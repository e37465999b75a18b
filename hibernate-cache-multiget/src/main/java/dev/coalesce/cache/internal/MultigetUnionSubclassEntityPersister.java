package dev.coalesce.cache.internal;

import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.NaturalIdDataAccess;
import org.hibernate.loader.ast.spi.MultiIdEntityLoader;
import org.hibernate.loader.ast.spi.MultiNaturalIdLoader;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.metamodel.spi.RuntimeModelCreationContext;
import org.hibernate.persister.entity.UnionSubclassEntityPersister;

/**
 * Hibernate's {@link UnionSubclassEntityPersister} with prefetching multi-id and natural-id
 * multi-loaders.
 */
public class MultigetUnionSubclassEntityPersister extends UnionSubclassEntityPersister {

  public MultigetUnionSubclassEntityPersister(
      PersistentClass persistentClass,
      EntityDataAccess cacheAccessStrategy,
      NaturalIdDataAccess naturalIdRegionAccessStrategy,
      RuntimeModelCreationContext creationContext) {
    super(persistentClass, cacheAccessStrategy, naturalIdRegionAccessStrategy, creationContext);
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  protected MultiIdEntityLoader<?> buildMultiIdLoader() {
    return new PrefetchingMultiIdLoader(super.buildMultiIdLoader(), this);
  }

  @Override
  public MultiNaturalIdLoader<?> getMultiNaturalIdLoader() {
    return PrefetchingMultiNaturalIdLoader.over(super.getMultiNaturalIdLoader(), this);
  }
}
