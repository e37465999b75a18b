package dev.coalesce.cache.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.hibernate.CacheMode;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jboss.logging.Logger;

/**
 * The entries of one region in an {@link EntryStore}: one key per entry, {@code
 * <namespace>:<region>:<key text>}. Reads consult the session's {@link TransactionCache} first, so
 * a prefetched entry costs no round trip; an entry that fails to decode is a miss and is deleted.
 *
 * <p>A clear writes the store's time under the region's clear key {@code
 * <namespace>:<region>:!clear}; every read of entries fetches it in the same command and treats
 * what was written before it as absent, and every write-back refuses a loading transaction that
 * started before it (see {@code entry.lua}). So a clear costs one key however many entries the
 * region holds, and a load that began before it cannot bring an old row back after it. On a Redis
 * Cluster a region's entries are spread over {@value #CLUSTER_SHARDS} hash tags, each with its own
 * clear key in its own slot, so that a script reads an entry and its clear time together; a clear
 * writes all of them.
 *
 * <p>Timestamps regions are never cleared: losing an update timestamp would make older cached query
 * results look current.
 *
 * <p>Used directly (plain values) by the query-results and timestamps regions and by Hibernate's
 * READ_ONLY and NONSTRICT_READ_WRITE access, and through {@link ReadWriteAccess} for READ_WRITE.
 *
 * <p>Over our usual 250 lines: the key layout of a region (hash tags, clear keys), its reads
 * through the session's prefetched entries, and Hibernate's plain {@code StorageAccess} methods,
 * which all build on both.
 */
final class RegionStorage implements DomainDataStorageAccess {

  private static final Logger LOG = Logger.getLogger(RegionStorage.class);

  /**
   * Hash tags per region on a Redis Cluster: enough to spread a region over the masters, few enough
   * that a multi-get of 100 entries is at most this many {@code MGET}s.
   */
  static final int CLUSTER_SHARDS = 16;

  private final String factory;
  private final String regionName;
  private final String prefix;
  private final String[] shardPrefixes;
  private final String[] clearKeys;
  private final EntryStore store;
  private final long ttlMillis;
  private final long lockTimeoutMicros;
  private final DecodingContext.PerFactory decoding;
  private final boolean timestamps;
  private final RegionMeters meters;

  RegionStorage(
      String factory,
      String regionName,
      String prefix,
      EntryStore store,
      long ttlMillis,
      long lockTimeoutMicros,
      DecodingContext.PerFactory decoding,
      boolean timestamps,
      int shards,
      RegionMeters meters) {
    this.factory = factory;
    this.meters = meters;
    this.decoding = decoding;
    this.timestamps = timestamps;
    this.regionName = regionName;
    this.prefix = prefix;
    this.shardPrefixes = new String[shards];
    for (int s = 0; s < shards; s++) {
      // a hash tag per shard: the shard's entries and its clear key share a slot
      shardPrefixes[s] =
          shards == 1
              ? prefix
              : prefix + "{" + s + "." + Integer.toHexString(prefix.hashCode()) + "}";
    }
    if (timestamps) {
      this.clearKeys = null;
    } else {
      this.clearKeys = new String[shards];
      for (int s = 0; s < shards; s++) {
        clearKeys[s] = shardPrefixes[s] + "!clear";
      }
    }
    this.store = store;
    this.ttlMillis = ttlMillis;
    this.lockTimeoutMicros = lockTimeoutMicros;
  }

  EntryStore store() {
    return store;
  }

  RegionMeters meters() {
    return meters;
  }

  long ttlMillis() {
    return ttlMillis;
  }

  long lockTimeoutMicros() {
    return lockTimeoutMicros;
  }

  /** Unlocked locks are kept this long, longer than any transaction that may still put. */
  long lockTtlMillis() {
    return Math.max(1, lockTimeoutMicros / 1_000) * 2;
  }

  /** The oldest a transaction may be for its reads to be cached, see {@code entry.lua}. */
  long maxTransactionAgeMicros() {
    return ttlMillis > 0 ? Math.min(lockTimeoutMicros, ttlMillis * 1_000) : lockTimeoutMicros;
  }

  /** The Redis key of a cache key. */
  String key(Object cacheKey) {
    return entryKey(cacheKey).full();
  }

  /** The Redis key of a cache key, as prefix and text (see {@link EntryKey}). */
  EntryKey entryKey(Object cacheKey) {
    if (cacheKey instanceof CacheKey key) {
      return entryKey(key.text());
    }
    if (cacheKey instanceof String s) {
      return entryKey("'" + s);
    }
    // Query keys and keys of an enforced keys factory: a digest of their serialized form.
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(EntryCodec.encode(cacheKey));
      return entryKey("#" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private EntryKey entryKey(String text) {
    int shard =
        shardPrefixes.length == 1 ? 0 : Math.floorMod(text.hashCode(), shardPrefixes.length);
    return new EntryKey(shardPrefixes[shard], text, clearKeys == null ? null : clearKeys[shard]);
  }

  /**
   * The clear key that governs {@code key} of the region at {@code regionPrefix}: the region's, or
   * on a cluster its hash tag's ({@code <prefix>{<tag>}<text>}).
   */
  static String clearKeyOf(String regionPrefix, String key) {
    if (key.startsWith("{", regionPrefix.length())) {
      int end = key.indexOf('}', regionPrefix.length());
      if (end > 0) {
        return key.substring(0, end + 1) + "!clear";
      }
    }
    return regionPrefix + "!clear";
  }

  /** The caching timestamp of the session's transaction, else the store's time now. */
  private long startOf(SharedSessionContractImplementor session) {
    return session != null
        ? session.getCacheTransactionSynchronization().getCachingTimestamp()
        : store.nowMicros();
  }

  private final java.util.concurrent.atomic.AtomicBoolean warnedUnencodable =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * The payload of {@code value}, or null if it cannot be encoded (a value of a type that is not
   * serializable): it is then not cached, which is logged once per region, and the caller's
   * operation goes on.
   */
  byte[] encode(Object value) {
    try {
      return EntryCodec.encode(value);
    } catch (java.io.UncheckedIOException | IllegalArgumentException e) {
      if (warnedUnencodable.compareAndSet(false, true)) {
        LOG.warnf(
            "SessionFactory '%s': second-level cache region %s cannot encode a %s (%s); such"
                + " values are not cached (logged once per region). Make the type Serializable,"
                + " or map it with an AttributeConverter to a basic type, to cache it",
            factory,
            regionName,
            value == null ? "null" : value.getClass().getName(),
            e.getMessage());
      }
      return null;
    }
  }

  /** The record under {@code key}: from the session's prefetched entries, else from the store. */
  byte[] read(SharedSessionContractImplementor session, EntryKey key) {
    TransactionCache cache = session == null ? null : TransactionCache.of(session);
    if (cache != null) {
      if (cache.isCollecting()) {
        cache.collect(key);
        return null;
      }
      byte[] known = cache.known(key);
      if (known != null) {
        return known == TransactionCache.ABSENT ? null : known;
      }
    }
    byte[] record = readFromStore(key);
    meters.read(record);
    return record;
  }

  /** The record under {@code key} in the store, null if absent or cleared since it was written. */
  byte[] readFromStore(EntryKey key) {
    if (key.clearKey() == null) {
      return store.get(key.full());
    }
    List<byte[]> found = store.getAll(List.of(key.full(), key.clearKey()));
    return Records.unlessCleared(found.get(0), Records.clearedAt(found.get(1)));
  }

  /** One multi-get of the keys the session does not know yet. */
  void prefetch(SharedSessionContractImplementor session, Collection<?> cacheKeys) {
    TransactionCache cache = TransactionCache.of(session);
    if (cache == null) {
      return;
    }
    List<EntryKey> keys = new ArrayList<>(cacheKeys.size());
    for (Object cacheKey : cacheKeys) {
      keys.add(entryKey(cacheKey));
    }
    cache.prefetchKeys(meters, keys);
  }

  /** Decodes a payload; an undecodable one is deleted (unless it changed) and reads as a miss. */
  Object decode(SharedSessionContractImplementor session, EntryKey key, byte[] record, int offset) {
    try {
      return EntryCodec.decode(record, offset, decoding.of(session));
    } catch (UndecodableEntryException e) {
      LOG.debugf(
          "Second-level cache region %s: entry %s cannot be decoded (%s); deleting it",
          regionName, key, e.getMessage());
      store.deleteIfEquals(key.full(), record);
      return null;
    }
  }

  void forget(SharedSessionContractImplementor session, EntryKey key) {
    TransactionCache cache = session == null ? null : TransactionCache.of(session);
    if (cache != null) {
      cache.forget(key);
    }
  }

  /**
   * Sends the write now and returns whether it was stored, or buffers it in the session's open
   * batch and returns false (it is then counted as {@code statistic} says when the store's reply
   * says it was stored, see {@link TransactionCache}).
   */
  boolean write(
      SharedSessionContractImplementor session, EntryStore.Write write, PutStatistic statistic) {
    TransactionCache cache = session == null ? null : TransactionCache.of(session);
    if (cache != null && cache.buffer(meters, write, statistic)) {
      return false;
    }
    boolean stored = store.writeAll(List.of(write)).get(0);
    meters.writeBack(stored);
    return stored;
  }

  // ~~~ plain values (StorageAccess)

  @Override
  public Object getFromCache(Object cacheKey, SharedSessionContractImplementor session) {
    EntryKey key = entryKey(cacheKey);
    byte[] record = read(session, key);
    if (record == null) {
      return null;
    }
    byte kind = Records.kind(record);
    if (kind == Records.ITEM || kind == Records.LOCK) {
      // READ_WRITE's (a direct read of its region's storage): not a plain value, but live; a
      // writer's lock must stay, or a load could put a value the writer's commit makes stale
      return null;
    }
    if (kind != Records.PLAIN) {
      // another format: unusable, by any access type
      store.deleteIfEquals(key.full(), record);
      return null;
    }
    return decode(session, key, record, Records.PLAIN_PAYLOAD);
  }

  @Override
  public void putIntoCache(
      Object cacheKey, Object value, SharedSessionContractImplementor session) {
    EntryKey key = entryKey(cacheKey);
    byte[] payload = encode(value);
    if (payload == null) {
      store.invalidate(key.full(), lockTtlMillis());
    } else if (timestamps) {
      store.setUpdateTimestamp(key.full(), Records.plain(store.nowMicros(), payload));
    } else {
      // stamped with the transaction's start: a clear since then hides it
      store.set(key.full(), Records.plain(startOf(session), payload), ttlMillis);
    }
    forget(session, key);
  }

  @Override
  public void putFromLoad(Object cacheKey, Object value, SharedSessionContractImplementor session) {
    putFromLoad(cacheKey, value, session, null);
  }

  /**
   * Adds the loaded value unless an entry is there (READ_ONLY and NONSTRICT_READ_WRITE), or under
   * {@link CacheMode#REFRESH} replaces it: true if it was stored now; false if it was refused or
   * buffered (a buffered one that the store stores is then counted as {@code statistic} says).
   */
  boolean putFromLoad(
      Object cacheKey,
      Object value,
      SharedSessionContractImplementor session,
      PutStatistic statistic) {
    EntryKey key = entryKey(cacheKey);
    byte[] payload = encode(value);
    if (payload == null) {
      return false;
    }
    long started = startOf(session);
    byte[] record = Records.plain(started, payload);
    EntryStore.Write write =
        session != null && session.getCacheMode() == CacheMode.REFRESH
            ? new EntryStore.Refresh(
                key.full(), key.clearKey(), started, record, ttlMillis, maxTransactionAgeMicros())
            : new EntryStore.AddIfAbsent(
                key.full(), key.clearKey(), started, record, ttlMillis, maxTransactionAgeMicros());
    return write(session, write, statistic);
  }

  /** Whether a value is cached under {@code cacheKey} (an invalidation marker is not one). */
  @Override
  public boolean contains(Object cacheKey) {
    return Records.kind(readFromStore(entryKey(cacheKey))) == Records.PLAIN;
  }

  /**
   * Removes the entry by leaving an invalidation marker (for the lock ttl) instead of deleting the
   * key: a load that started before the removal may have read the row as it was, and its
   * write-back, still queued or in flight (on this node or another), could otherwise land after a
   * delete and put the old row back until its ttl. The marker refuses that put, whatever the order
   * in which the two reach Redis; loads that start after the removal may add again.
   */
  @Override
  public void removeFromCache(Object cacheKey, SharedSessionContractImplementor session) {
    EntryKey key = entryKey(cacheKey);
    store.invalidate(key.full(), lockTtlMillis());
    forget(session, key);
  }

  /** {@link #removeFromCache} of every key, in one round trip. */
  void removeAllFromCache(List<Object> cacheKeys, SharedSessionContractImplementor session) {
    List<String> keys = new ArrayList<>(cacheKeys.size());
    for (Object cacheKey : cacheKeys) {
      EntryKey key = entryKey(cacheKey);
      forget(session, key);
      keys.add(key.full());
    }
    // unlocking without a token invalidates
    store.unlockAll(keys, Collections.nCopies(keys.size(), null), lockTtlMillis());
  }

  @Override
  public void clearCache(SharedSessionContractImplementor session) {
    evictData();
  }

  @Override
  public void evictData() {
    if (clearKeys == null) {
      LOG.debugf("Second-level cache region %s holds update timestamps: not cleared", regionName);
      return;
    }
    store.clear(List.of(clearKeys));
  }

  /** As {@link #removeFromCache}: an invalidation marker, which refuses earlier loads' puts. */
  @Override
  public void evictData(Object cacheKey) {
    store.invalidate(key(cacheKey), lockTtlMillis());
  }

  @Override
  public void release() {
    // the store outlives regions; the region factory closes it
  }

  @Override
  public String toString() {
    return "RegionStorage[" + regionName + " at " + prefix + "*]";
  }
}
