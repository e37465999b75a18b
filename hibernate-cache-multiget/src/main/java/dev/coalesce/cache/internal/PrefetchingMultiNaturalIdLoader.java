package dev.coalesce.cache.internal;

import java.util.ArrayList;
import java.util.List;
import org.hibernate.LockMode;
import org.hibernate.engine.spi.NaturalIdResolutions;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.loader.ast.spi.MultiIdLoadOptions;
import org.hibernate.loader.ast.spi.MultiNaturalIdLoadOptions;
import org.hibernate.loader.ast.spi.MultiNaturalIdLoader;
import org.hibernate.metamodel.mapping.EntityMappingType;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Hibernate's natural-id multi-loader ({@code session.byMultipleNaturalId(...).multiLoad(...)})
 * with two multi-gets in front. Hibernate's loader resolves each natural id through the session and
 * the natural-id cache (one read per id), then loads with SQL every entity not already in the
 * persistence context. Here one multi-get reads every natural-id entry, the ids found are loaded
 * through the multi-id loader (one multi-get of the entities, one SQL query for the misses), and
 * Hibernate's loader then finds them in the persistence context: SQL only for what no cache held.
 */
final class PrefetchingMultiNaturalIdLoader<E> implements MultiNaturalIdLoader<E> {

  private final MultiNaturalIdLoader<E> delegate;
  private final EntityPersister persister;

  private PrefetchingMultiNaturalIdLoader(
      MultiNaturalIdLoader<E> delegate, EntityPersister persister) {
    this.delegate = delegate;
    this.persister = persister;
  }

  /** {@code persister}'s own loader (which Hibernate keeps) with the multi-gets in front. */
  static <E> MultiNaturalIdLoader<E> over(
      MultiNaturalIdLoader<E> delegate, EntityPersister persister) {
    return new PrefetchingMultiNaturalIdLoader<>(delegate, persister);
  }

  @Override
  public <K> List<E> multiLoad(
      K[] naturalIds, MultiNaturalIdLoadOptions options, SharedSessionContractImplementor session) {
    Prefetch.beginBatch(session);
    try {
      if (options instanceof MultiIdLoadOptions idOptions
          && idOptions.isSecondLevelCacheCheckingEnabled()
          && !locks(options)
          && Prefetch.enabled(session, persister)) {
        loadCached(naturalIds, idOptions, session);
      }
      return delegate.multiLoad(naturalIds, options, session);
    } finally {
      Prefetch.endBatch(session);
    }
  }

  private static boolean locks(MultiNaturalIdLoadOptions options) {
    var lockOptions = options.getLockOptions();
    return lockOptions != null && lockOptions.getLockMode().greaterThan(LockMode.READ);
  }

  private void loadCached(
      Object[] naturalIds, MultiIdLoadOptions options, SharedSessionContractImplementor session) {
    List<Object> cached = Prefetch.naturalIds(session, persister, naturalIds);
    if (cached.isEmpty()) {
      return;
    }
    NaturalIdResolutions resolutions =
        session.getPersistenceContextInternal().getNaturalIdResolutions();
    List<Object> ids = new ArrayList<>(cached.size());
    for (Object naturalId : cached) {
      Object id = resolutions.findCachedIdByNaturalId(naturalId, persister);
      if (id != null && id != NaturalIdResolutions.INVALID_NATURAL_ID_REFERENCE) {
        ids.add(id);
      }
    }
    if (!ids.isEmpty()) {
      persister.multiLoad(ids.toArray(), session, options);
    }
  }

  @Override
  public EntityMappingType getLoadable() {
    return delegate.getLoadable();
  }
}
