package dev.coalesce.buffer.flush;

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
 * drop the entry), and the tables are invalidated in the query cache's timestamps.
 */
final class CacheEviction {

  private final SessionFactoryImplementor factory;

  CacheEviction(SessionFactoryImplementor factory) {
    this.factory = factory;
  }

  record Locked(EntityDataAccess access, Object key, SoftLock lock) {}

  record Locks(List<Locked> entries, Set<String> spaces) {}

  Locks lock(SharedSessionContractImplementor session, List<RowUpdate> updates) {
    var options = factory.getSessionFactoryOptions();
    boolean entityCache = options.isSecondLevelCacheEnabled();
    boolean queryCache = options.isQueryCacheEnabled();
    if (!entityCache && !queryCache) {
      return new Locks(List.of(), Set.of());
    }
    Map<Object, EntityDataAccess> keys = new LinkedHashMap<>();
    Set<String> spaces = new LinkedHashSet<>();
    for (RowUpdate update : updates) {
      var persister = update.root().rootPersister();
      spaces.addAll(update.root().querySpaces());
      if (entityCache && persister.canWriteToCache()) {
        EntityDataAccess access = persister.getCacheAccessStrategy();
        Object key =
            access.generateCacheKey(update.id(), persister, factory, session.getTenantIdentifier());
        keys.putIfAbsent(key, access);
      }
    }
    List<Locked> locked = new ArrayList<>(keys.size());
    keys.forEach(
        (key, access) -> locked.add(new Locked(access, key, access.lockItem(session, key, null))));
    if (queryCache && !spaces.isEmpty()) {
      factory.getCache().getTimestampsCache().preInvalidate(spaces.toArray(String[]::new), session);
    }
    return new Locks(locked, spaces);
  }

  void release(SharedSessionContractImplementor session, Locks locks, boolean committed) {
    for (Locked locked : locks.entries()) {
      locked.access().unlockItem(session, locked.key(), locked.lock());
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
}
