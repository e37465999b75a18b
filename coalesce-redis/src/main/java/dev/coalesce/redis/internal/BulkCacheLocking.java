package dev.coalesce.redis.internal;

import java.util.List;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * A second-level cache access (an {@code EntityDataAccess}) that locks and unlocks many entries in
 * one round trip. Hibernate's access interface is one key per call; {@code hibernate-buffer} locks
 * every row a flush updates, so it uses this contract when the entity's cache access (the multi-get
 * cache's) implements it, and one call per key otherwise.
 */
public interface BulkCacheLocking {

  /**
   * Locks every key as {@code lockItem(session, key, null)} would, in one round trip.
   *
   * @return the locks, in the order of {@code keys}, to hand to {@link #unlockItems}
   */
  List<SoftLock> lockItems(SharedSessionContractImplementor session, List<Object> keys);

  /**
   * Releases locks taken by {@link #lockItems} as {@code unlockItem} would, in one round trip. The
   * entries stay out of the cache until a later load puts them back.
   */
  void unlockItems(
      SharedSessionContractImplementor session, List<Object> keys, List<SoftLock> locks);
}
