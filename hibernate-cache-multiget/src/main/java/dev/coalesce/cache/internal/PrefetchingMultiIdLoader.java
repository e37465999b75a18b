package dev.coalesce.cache.internal;

import java.util.ArrayList;
import java.util.List;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.loader.ast.spi.MultiIdEntityLoader;
import org.hibernate.loader.ast.spi.MultiIdLoadOptions;
import org.hibernate.metamodel.mapping.EntityMappingType;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Hibernate's multi-id loader ({@code findMultiple}, {@code byMultipleIds().multiLoad}, {@code
 * StatelessSession.getMultiple}) with one multi-get in front: the ids not already in the
 * persistence context are read from the cache at once, Hibernate's per-id cache calls are then
 * answered from memory, and the write-backs of the rows it loads go out as one pipeline.
 */
final class PrefetchingMultiIdLoader<T> implements MultiIdEntityLoader<T> {

  private final MultiIdEntityLoader<T> delegate;
  private final EntityPersister persister;

  PrefetchingMultiIdLoader(MultiIdEntityLoader<T> delegate, EntityPersister persister) {
    this.delegate = delegate;
    this.persister = persister;
  }

  @Override
  public <K> List<T> load(
      K[] ids, MultiIdLoadOptions options, SharedSessionContractImplementor session) {
    if (options.isSecondLevelCacheCheckingEnabled() && Prefetch.enabled(session, persister)) {
      var idType = persister.getIdentifierMapping().getJavaType();
      var persistenceContext = session.getPersistenceContextInternal();
      List<Object> wanted = new ArrayList<>(ids.length);
      for (K id : ids) {
        if (id == null) {
          continue;
        }
        Object coerced = idType.coerce(id);
        if (persistenceContext.getEntity(session.generateEntityKey(coerced, persister)) == null) {
          wanted.add(coerced);
        }
      }
      Prefetch.entities(session, persister, wanted);
    }
    Prefetch.beginBatch(session);
    try {
      return delegate.load(ids, options, session);
    } finally {
      Prefetch.endBatch(session);
    }
  }

  @Override
  public EntityMappingType getLoadable() {
    return delegate.getLoadable();
  }
}
