package dev.coalesce.cache.internal;

import org.hibernate.LockOptions;
import org.hibernate.collection.spi.PersistentCollection;
import org.hibernate.engine.spi.LoadQueryInfluencers;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.loader.ast.spi.BatchLoaderFactory;
import org.hibernate.loader.ast.spi.CollectionBatchLoader;
import org.hibernate.loader.ast.spi.EntityBatchLoader;
import org.hibernate.metamodel.mapping.EntityMappingType;
import org.hibernate.metamodel.mapping.PluralAttributeMapping;

/**
 * Hibernate's batch loaders (lazy proxies and collections with {@code @BatchSize} or {@code
 * hibernate.default_batch_fetch_size}) with one multi-get of the whole batch queue in front, so
 * checking which queued ids are cached costs one round trip instead of one per id, and with the
 * write-backs of each batch sent as one pipeline.
 */
final class PrefetchingBatchLoaderFactory implements BatchLoaderFactory {

  private final BatchLoaderFactory delegate;
  private final int prefetchLimit;

  PrefetchingBatchLoaderFactory(BatchLoaderFactory delegate, int prefetchLimit) {
    this.delegate = delegate;
    this.prefetchLimit = prefetchLimit;
  }

  @Override
  public <T> EntityBatchLoader<T> createEntityBatchLoader(
      int domainBatchSize, EntityMappingType entityDescriptor, LoadQueryInfluencers influencers) {
    return new Entities<>(
        delegate.createEntityBatchLoader(domainBatchSize, entityDescriptor, influencers),
        prefetchLimit);
  }

  @Override
  public CollectionBatchLoader createCollectionBatchLoader(
      int domainBatchSize,
      LoadQueryInfluencers influencers,
      PluralAttributeMapping attributeMapping,
      SessionFactoryImplementor factory) {
    return new Collections(
        delegate.createCollectionBatchLoader(
            domainBatchSize, influencers, attributeMapping, factory),
        prefetchLimit);
  }

  private record Entities<T>(EntityBatchLoader<T> delegate, int prefetchLimit)
      implements EntityBatchLoader<T> {

    // LockOptions is deprecated for removal, but Hibernate 7.4's SingleIdEntityLoader, which this
    // implements, still takes it: there is no other signature to implement
    @SuppressWarnings("removal")
    @Override
    public T load(
        Object pkValue,
        LockOptions lockOptions,
        Boolean readOnly,
        SharedSessionContractImplementor session) {
      return load(pkValue, null, lockOptions, readOnly, session);
    }

    @SuppressWarnings("removal") // as above
    @Override
    public T load(
        Object pkValue,
        Object entityInstance,
        LockOptions lockOptions,
        Boolean readOnly,
        SharedSessionContractImplementor session) {
      Prefetch.entityBatch(session, getLoadable().getEntityPersister(), pkValue, prefetchLimit);
      Prefetch.beginBatch(session);
      try {
        return entityInstance == null
            ? delegate.load(pkValue, lockOptions, readOnly, session)
            : delegate.load(pkValue, entityInstance, lockOptions, readOnly, session);
      } finally {
        Prefetch.endBatch(session);
      }
    }

    @Override
    public Object[] loadDatabaseSnapshot(Object id, SharedSessionContractImplementor session) {
      return delegate.loadDatabaseSnapshot(id, session);
    }

    @Override
    public EntityMappingType getLoadable() {
      return delegate.getLoadable();
    }

    @Override
    public int getDomainBatchSize() {
      return delegate.getDomainBatchSize();
    }
  }

  private record Collections(CollectionBatchLoader delegate, int prefetchLimit)
      implements CollectionBatchLoader {

    @Override
    public PersistentCollection<?> load(Object key, SharedSessionContractImplementor session) {
      Prefetch.collectionBatch(
          session, getLoadable().getCollectionDescriptor(), key, prefetchLimit);
      Prefetch.beginBatch(session);
      try {
        return delegate.load(key, session);
      } finally {
        Prefetch.endBatch(session);
      }
    }

    @Override
    public PluralAttributeMapping getLoadable() {
      return delegate.getLoadable();
    }

    @Override
    public int getDomainBatchSize() {
      return delegate.getDomainBatchSize();
    }
  }
}
