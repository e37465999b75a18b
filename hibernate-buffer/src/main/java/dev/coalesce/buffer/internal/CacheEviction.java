package dev.coalesce.buffer.internal;

import dev.coalesce.redis.internal.BulkCacheLocking;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Keeps the second-level cache from showing old counters: the flushed rows are locked in their
 * entity region before the UPDATEs and released after the transaction, as Hibernate does for its
 * own updates (a READ_WRITE region then refuses a put-from-load of the old row; other strategies
 * drop the entry), and the tables are invalidated in the query cache's timestamps. A region that
 * implements {@link BulkCacheLocking} (the multi-get cache) gets all keys of a flush in one call.
 */
final class CacheEviction {

  private final SessionFactoryImplementor factory;

  CacheEviction(SessionFactoryImplementor factory) {
    this.factory = factory;
  }

  /** The locks taken on one region's entries, in the order of {@code keys}. */
  record Locked(EntityDataAccess access, List<Object> keys, List<SoftLock> locks) {}

  record Locks(List<Locked> entries, Set<String> spaces) {}

  Locks lock(SharedSessionContractImplementor session, List<RowUpdate> updates) {
    var options = factory.getSessionFactoryOptions();
    boolean entityCache = options.isSecondLevelCacheEnabled();
    boolean queryCache = options.isQueryCacheEnabled();
    if (!entityCache && !queryCache) {
      return new Locks(List.of(), Set.of());
    }
    Map<EntityDataAccess, Set<Object>> keysByRegion = new LinkedHashMap<>();
    Set<String> spaces = new LinkedHashSet<>();
    for (RowUpdate update : updates) {
      var persister = update.root().rootPersister();
      spaces.addAll(update.root().querySpaces());
      if (entityCache && persister.canWriteToCache()) {
        EntityDataAccess access = persister.getCacheAccessStrategy();
        Object key =
            access.generateCacheKey(update.id(), persister, factory, session.getTenantIdentifier());
        keysByRegion.computeIfAbsent(access, a -> new LinkedHashSet<>()).add(key);
      }
    }
    List<Locked> locked = new ArrayList<>(keysByRegion.size());
    keysByRegion.forEach(
        (access, keySet) -> {
          List<Object> keys = List.copyOf(keySet);
          locked.add(new Locked(access, keys, lockAll(session, access, keys)));
        });
    if (queryCache && !spaces.isEmpty()) {
      factory.getCache().getTimestampsCache().preInvalidate(spaces.toArray(String[]::new), session);
    }
    return new Locks(locked, spaces);
  }

  void release(SharedSessionContractImplementor session, Locks locks, boolean committed) {
    for (Locked locked : locks.entries()) {
      if (locked.access() instanceof BulkCacheLocking bulk) {
        bulk.unlockItems(session, locked.keys(), locked.locks());
      } else {
        for (int i = 0; i < locked.keys().size(); i++) {
          locked.access().unlockItem(session, locked.keys().get(i), locked.locks().get(i));
        }
      }
    }
    if (committed
        && factory.getSessionFactoryOptions().isQueryCacheEnabled()
        && !locks.spaces().isEmpty()) {
      factory
          .getCache()
          .getTimestampsCache()
          .invalidate(locks.spaces().toArray(String[]::new), session);
    }
  }

  private static List<SoftLock> lockAll(
      SharedSessionContractImplementor session, EntityDataAccess access, List<Object> keys) {
    if (access instanceof BulkCacheLocking bulk) {
      return bulk.lockItems(session, keys);
    }
    List<SoftLock> locks = new ArrayList<>(keys.size());
    for (Object key : keys) {
      locks.add(access.lockItem(session, key, null));
    }
    return locks;
  }
}
