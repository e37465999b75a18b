package dev.coalesce.cache.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.hibernate.cache.spi.access.CachedDomainDataAccess;
import org.hibernate.cache.spi.support.AbstractCachedDomainDataAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.collection.CollectionPersister;
import org.hibernate.persister.entity.EntityPersister;

/**
 * Reads many entries of this cache with one multi-get into the session's {@link TransactionCache},
 * ahead of Hibernate's per-id cache calls, which are then answered from memory. The entry point for
 * the loaders of {@code dev.coalesce.cache.internal}.
 */
final class Prefetch {

  private Prefetch() {}

  /** The storage behind {@code access} if it is this cache's, else null. */
  static RegionStorage storageOf(CachedDomainDataAccess access) {
    return access instanceof AbstractCachedDomainDataAccess cached
            && cached.getStorageAccess() instanceof RegionStorage storage
        ? storage
        : null;
  }

  /** Whether {@code session} may read {@code persister}'s entities from this cache. */
  public static boolean enabled(
      SharedSessionContractImplementor session, EntityPersister persister) {
    return TransactionCache.of(session) != null
        && session.getCacheMode().isGetEnabled()
        && persister.canReadFromCache()
        && storageOf(persister.getCacheAccessStrategy()) != null;
  }

  /** Whether {@code session} may read {@code persister}'s collections from this cache. */
  public static boolean enabled(
      SharedSessionContractImplementor session, CollectionPersister persister) {
    return TransactionCache.of(session) != null
        && session.getCacheMode().isGetEnabled()
        && persister.hasCache()
        && storageOf(persister.getCacheAccessStrategy()) != null;
  }

  /** One multi-get of the entities with these ids (ids already known to the session skipped). */
  public static void entities(
      SharedSessionContractImplementor session, EntityPersister persister, Collection<?> ids) {
    if (ids.isEmpty() || !enabled(session, persister)) {
      return;
    }
    var access = persister.getCacheAccessStrategy();
    List<Object> keys = new ArrayList<>(ids.size());
    for (Object id : ids) {
      keys.add(
          access.generateCacheKey(
              id, persister, session.getFactory(), session.getTenantIdentifier()));
    }
    storageOf(access).prefetch(session, keys);
  }

  /**
   * One multi-get of the natural-id entries of {@code naturalIds} (each as Hibernate normalizes
   * it); returns those whose entry was found, so that resolving the others (a sure miss) is left to
   * Hibernate and counted once.
   */
  public static List<Object> naturalIds(
      SharedSessionContractImplementor session, EntityPersister persister, Object[] naturalIds) {
    TransactionCache cache = TransactionCache.of(session);
    if (naturalIds.length == 0
        || cache == null
        || !session.getCacheMode().isGetEnabled()
        || !persister.hasNaturalIdCache()) {
      return List.of();
    }
    var access = persister.getNaturalIdCacheAccessStrategy();
    RegionStorage storage = storageOf(access);
    if (storage == null) {
      return List.of();
    }
    List<EntryKey> keys = new ArrayList<>(naturalIds.length);
    for (Object naturalId : naturalIds) {
      keys.add(storage.entryKey(access.generateCacheKey(naturalId, persister, session)));
    }
    cache.prefetchKeys(storage.meters(), keys);
    List<Object> found = new ArrayList<>(naturalIds.length);
    for (int i = 0; i < naturalIds.length; i++) {
      byte[] record = cache.known(keys.get(i));
      if (record != null && record != TransactionCache.ABSENT) {
        found.add(naturalIds[i]);
      }
    }
    return found;
  }

  /**
   * One multi-get of {@code id} and of every id of the same entity queued for batch fetching (at
   * most {@code limit}), learned by asking Hibernate's batch queue while the session's cache
   * answers "not cached" without a round trip.
   */
  public static void entityBatch(
      SharedSessionContractImplementor session, EntityPersister persister, Object id, int limit) {
    if (!enabled(session, persister)) {
      return;
    }
    var access = persister.getCacheAccessStrategy();
    RegionStorage storage = storageOf(access);
    EntryKey first =
        storage.entryKey(
            access.generateCacheKey(
                id, persister, session.getFactory(), session.getTenantIdentifier()));
    prefetchWithQueued(
        session,
        storage,
        first,
        () ->
            session
                .getPersistenceContextInternal()
                .getBatchFetchQueue()
                .getBatchLoadableEntityIds(persister, id, Math.max(2, limit)));
  }

  /** As {@link #entityBatch} for the collections of one role queued for batch fetching. */
  public static void collectionBatch(
      SharedSessionContractImplementor session,
      CollectionPersister persister,
      Object key,
      int limit) {
    if (!enabled(session, persister)) {
      return;
    }
    var access = persister.getCacheAccessStrategy();
    RegionStorage storage = storageOf(access);
    EntryKey first =
        storage.entryKey(
            access.generateCacheKey(
                key, persister, session.getFactory(), session.getTenantIdentifier()));
    prefetchWithQueued(
        session,
        storage,
        first,
        () ->
            session
                .getPersistenceContextInternal()
                .getBatchFetchQueue()
                .getCollectionBatch(persister, key, Math.max(2, limit)));
  }

  /**
   * One multi-get of {@code first} and of every key the session's cache is asked about while {@code
   * askBatchQueue} runs (it answers "not cached" meanwhile, without a round trip).
   */
  private static void prefetchWithQueued(
      SharedSessionContractImplementor session,
      RegionStorage storage,
      EntryKey first,
      Runnable askBatchQueue) {
    TransactionCache cache = TransactionCache.of(session);
    List<EntryKey> keys = new ArrayList<>();
    keys.add(first);
    cache.startCollecting();
    try {
      askBatchQueue.run();
    } finally {
      keys.addAll(cache.stopCollecting());
    }
    cache.prefetchKeys(storage.meters(), keys);
  }

  /** Opens a batch: the session's write-backs wait for {@link #endBatch}. */
  public static void beginBatch(SharedSessionContractImplementor session) {
    TransactionCache cache = TransactionCache.of(session);
    if (cache != null) {
      cache.beginBatch();
    }
  }

  /** Closes a batch; the outermost close sends its write-backs as one pipeline. */
  public static void endBatch(SharedSessionContractImplementor session) {
    TransactionCache cache = TransactionCache.of(session);
    if (cache != null) {
      cache.endBatch();
    }
  }
}
