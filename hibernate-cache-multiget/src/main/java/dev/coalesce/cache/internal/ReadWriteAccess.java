package dev.coalesce.cache.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.access.AccessType;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.cache.spi.support.AbstractCachedDomainDataAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * READ_WRITE access that is safe across JVMs: lock, unlock, after-insert, after-update and
 * put-from-load are each one atomic step in the store ({@code entry.lua}), not Hibernate's
 * JVM-local get-then-put.
 *
 * <p>The rules, beyond Hibernate's: a put-from-load into a lock is accepted only from a transaction
 * that started after the lock's last holder left (versions are not trusted there: a lock shared by
 * several writers would otherwise let the first writer's value in after the second committed), a
 * lock shared by several writers never takes a writer's value, and a put-from-load from a
 * transaction older than the lock timeout is refused (its lock may have expired).
 *
 * <p>Over our usual 250 lines: one method per step of Hibernate's READ_WRITE access contract, each
 * a few lines calling the store.
 */
abstract class ReadWriteAccess extends AbstractCachedDomainDataAccess {

  /** The lock a writer holds on one entry; {@code token} is null if the store was unreachable. */
  record Lock(String token) implements SoftLock {}

  private final RegionStorage storage;
  private final PutStatistic putStatistic;

  ReadWriteAccess(DomainDataRegion region, RegionStorage storage, PutStatistic putStatistic) {
    super(region, storage);
    this.storage = storage;
    this.putStatistic = putStatistic;
  }

  RegionStorage storage() {
    return storage;
  }

  @Override
  public AccessType getAccessType() {
    return AccessType.READ_WRITE;
  }

  static long startOf(SharedSessionContractImplementor session) {
    return session.getCacheTransactionSynchronization().getCachingTimestamp();
  }

  @Override
  public Object get(SharedSessionContractImplementor session, Object cacheKey) {
    EntryKey key = storage.entryKey(cacheKey);
    byte[] record = storage.read(session, key);
    if (Records.kind(record) != Records.ITEM) {
      return null;
    }
    // An item written after this transaction started may be newer than what it should see.
    if (startOf(session) <= Records.itemTimestamp(record)) {
      return null;
    }
    return storage.decode(session, key, record, Records.ITEM_PAYLOAD);
  }

  @Override
  public boolean putFromLoad(
      SharedSessionContractImplementor session, Object cacheKey, Object value, Object version) {
    return putFromLoad(session, cacheKey, value, version, false);
  }

  @Override
  public boolean putFromLoad(
      SharedSessionContractImplementor session,
      Object cacheKey,
      Object value,
      Object version,
      boolean minimalPutOverride) {
    EntryKey entryKey = storage.entryKey(cacheKey);
    String key = entryKey.full();
    long started = startOf(session);
    byte[] payload = storage.encode(value);
    if (payload == null) {
      return false;
    }
    byte[] item = Records.item(started, Records.version(version), payload);
    EntryStore.PutFromLoad put =
        new EntryStore.PutFromLoad(
            key,
            entryKey.clearKey(),
            started,
            item,
            storage.ttlMillis(),
            storage.maxTransactionAgeMicros(),
            minimalPutOverride);
    TransactionCache cache = TransactionCache.of(session);
    if (cache != null && cache.buffer(storage.meters(), put, putStatistic)) {
      // Sent with the rest of the load, and the store decides: its answer is not known yet, so
      // Hibernate is told "not written" (it uses the answer for its put statistics only) and the
      // put is counted when the store's reply says it was stored (see TransactionCache).
      return false;
    }
    boolean stored =
        storage
            .store()
            .putFromLoad(
                key,
                entryKey.clearKey(),
                started,
                item,
                storage.ttlMillis(),
                storage.maxTransactionAgeMicros(),
                minimalPutOverride);
    storage.meters().writeBack(stored);
    return stored;
  }

  @Override
  public SoftLock lockItem(
      SharedSessionContractImplementor session, Object cacheKey, Object version) {
    EntryKey entryKey = storage.entryKey(cacheKey);
    storage.forget(session, entryKey);
    String key = entryKey.full();
    return new Lock(
        storage
            .store()
            .lock(key, newToken(), storage.lockTimeoutMicros(), storage.lockTtlMillis()));
  }

  @Override
  public void unlockItem(SharedSessionContractImplementor session, Object cacheKey, SoftLock lock) {
    EntryKey entryKey = storage.entryKey(cacheKey);
    storage.forget(session, entryKey);
    String key = entryKey.full();
    storage.store().unlock(key, token(lock), storage.lockTtlMillis());
  }

  /** {@link #lockItem} of every key, in one round trip (see {@code BulkCacheLocking}). */
  public List<SoftLock> lockItems(
      SharedSessionContractImplementor session, List<Object> cacheKeys) {
    List<String> keys = keys(session, cacheKeys);
    List<String> tokens = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      tokens.add(newToken());
    }
    List<String> held =
        storage.store().lockAll(keys, tokens, storage.lockTimeoutMicros(), storage.lockTtlMillis());
    List<SoftLock> locks = new ArrayList<>(held.size());
    for (String token : held) {
      locks.add(new Lock(token));
    }
    return locks;
  }

  /** {@link #unlockItem} of every key, in one round trip (see {@code BulkCacheLocking}). */
  public void unlockItems(
      SharedSessionContractImplementor session, List<Object> cacheKeys, List<SoftLock> locks) {
    if (locks.size() != cacheKeys.size()) {
      throw new IllegalArgumentException(
          "unlockItems needs one lock per key (as returned by lockItems): "
              + cacheKeys.size()
              + " keys, "
              + locks.size()
              + " locks");
    }
    List<String> keys = keys(session, cacheKeys);
    List<String> tokens = new ArrayList<>(locks.size());
    for (SoftLock lock : locks) {
      tokens.add(token(lock));
    }
    storage.store().unlockAll(keys, tokens, storage.lockTtlMillis());
  }

  /** The store keys of {@code cacheKeys}, forgotten by the session's prefetched entries. */
  private List<String> keys(SharedSessionContractImplementor session, List<Object> cacheKeys) {
    List<String> keys = new ArrayList<>(cacheKeys.size());
    for (Object cacheKey : cacheKeys) {
      EntryKey key = storage.entryKey(cacheKey);
      storage.forget(session, key);
      keys.add(key.full());
    }
    return keys;
  }

  private static String newToken() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  static String token(SoftLock lock) {
    return lock instanceof Lock l ? l.token() : null;
  }

  /** after-update: caches the writer's value if its lock was never shared, else unlocks. */
  boolean afterUpdate(
      SharedSessionContractImplementor session,
      Object cacheKey,
      Object value,
      Object version,
      SoftLock lock) {
    EntryKey entryKey = storage.entryKey(cacheKey);
    storage.forget(session, entryKey);
    String key = entryKey.full();
    byte[] payload = storage.encode(value);
    if (payload == null) {
      storage.store().unlock(key, token(lock), storage.lockTtlMillis());
      return false;
    }
    return storage
        .store()
        .afterUpdate(
            key,
            entryKey.clearKey(),
            token(lock),
            Records.version(version),
            payload,
            storage.ttlMillis(),
            storage.lockTtlMillis());
  }

  boolean afterInsert(
      SharedSessionContractImplementor session, Object cacheKey, Object value, Object version) {
    EntryKey entryKey = storage.entryKey(cacheKey);
    storage.forget(session, entryKey);
    String key = entryKey.full();
    byte[] payload = storage.encode(value);
    return payload != null
        && storage
            .store()
            .afterInsert(
                key,
                entryKey.clearKey(),
                startOf(session),
                Records.version(version),
                payload,
                storage.ttlMillis());
  }

  @Override
  public void remove(SharedSessionContractImplementor session, Object cacheKey) {
    EntryKey entryKey = storage.entryKey(cacheKey);
    storage.forget(session, entryKey);
    String key = entryKey.full();
    storage.store().removeUnlessLocked(key);
  }

  /**
   * Evicting one entry leaves an invalidation marker instead of deleting the key: a writer's lock
   * on it survives, and transactions that started before the eviction cannot put their (possibly
   * older) value back.
   */
  @Override
  public void evict(Object cacheKey) {
    storage.store().invalidate(storage.key(cacheKey), storage.lockTtlMillis());
  }

  @Override
  public void removeAll(SharedSessionContractImplementor session) {
    // As Hibernate's READ_WRITE: bulk operations lock and then clear the region instead.
  }

  @Override
  public boolean contains(Object cacheKey) {
    return Records.kind(storage.readFromStore(storage.entryKey(cacheKey))) == Records.ITEM;
  }
}
