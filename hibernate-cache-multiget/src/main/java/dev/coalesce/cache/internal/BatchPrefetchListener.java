package dev.coalesce.cache.internal;

import org.hibernate.event.spi.InitializeCollectionEvent;
import org.hibernate.event.spi.InitializeCollectionEventListener;
import org.hibernate.event.spi.LoadEvent;
import org.hibernate.event.spi.LoadEventListener;

/**
 * Runs before Hibernate's own load and collection-initialization listeners, which read the cache
 * for the one id asked for before any batch loader runs: for batch-fetched entities and
 * collections, it first reads the whole batch queue with one multi-get, so those per-id reads (and
 * the batch loader's "is it cached?" checks) are answered from memory.
 */
final class BatchPrefetchListener implements LoadEventListener, InitializeCollectionEventListener {

  private final int limit;

  BatchPrefetchListener(int limit) {
    this.limit = limit;
  }

  @Override
  public void onLoad(LoadEvent event, LoadType loadType) {
    var session = event.getSession();
    // A load that may answer with a proxy reads nothing yet: prefetch when the proxy is used.
    if (loadType.isAllowProxyCreation()
        || event.getInstanceToLoad() != null
        || event.getEntityId() == null) {
      return;
    }
    var persister =
        session.getFactory().getMappingMetamodel().findEntityDescriptor(event.getEntityClassName());
    if (persister == null || persister.getBatchSize() <= 1) {
      return;
    }
    Object id = event.getEntityId();
    if (session.getPersistenceContextInternal().getEntity(session.generateEntityKey(id, persister))
        != null) {
      return;
    }
    Prefetch.entityBatch(session, persister, id, limit);
  }

  @Override
  public void onInitializeCollection(InitializeCollectionEvent event) {
    var session = event.getSession();
    var collection = event.getCollection();
    if (collection.wasInitialized()) {
      return;
    }
    var entry = session.getPersistenceContextInternal().getCollectionEntry(collection);
    if (entry == null || entry.getLoadedPersister() == null) {
      return;
    }
    var persister = entry.getLoadedPersister();
    if (persister.getBatchSize() <= 1) {
      return;
    }
    Prefetch.collectionBatch(session, persister, entry.getLoadedKey(), limit);
  }
}
