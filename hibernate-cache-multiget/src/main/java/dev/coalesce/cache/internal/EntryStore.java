package dev.coalesce.cache.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where entries live, as raw records under full keys. Each method is one atomic step; the
 * READ_WRITE steps follow {@code entry.lua} (Redis) or the same rules in this JVM ({@code local}).
 * Implementations never throw for an unreachable store: reads miss, writes are skipped or
 * remembered (see {@link RedisEntryStore}).
 */
interface EntryStore extends AutoCloseable {

  /** The store's clock: Redis time (or this JVM's for {@code local}), in microseconds. */
  long nowMicros();

  byte[] get(String key);

  /** One multi-get: the records in the order of {@code keys}, null where absent. */
  List<byte[]> getAll(List<String> keys);

  /** Overwrites; {@code ttlMillis <= 0} means never expire. */
  void set(String key, byte[] record, long ttlMillis);

  /**
   * Writes a query-cache update timestamp (never expires); if the store is unreachable, a newer one
   * is written before this node reads from it again.
   */
  void setUpdateTimestamp(String key, byte[] record);

  /** Resends what could not be sent while the store was unreachable, if anything (no-op if not). */
  void resendPending();

  /** Deletes an entry that failed to decode, unless it changed meanwhile. */
  void deleteIfEquals(String key, byte[] record);

  /**
   * Clears regions: writes the store's time now under each clear key, so that every value and item
   * written before is gone (see {@link Records}); one key each, whatever the region holds. If the
   * store is unreachable, the clear is resent, with the time of the resend, before this node reads
   * from it again.
   */
  void clear(List<String> clearKeys);

  /**
   * Calls {@code action} with every key that starts with {@code prefix} (a walk of the whole
   * keyspace for Redis: for reports, never for requests).
   *
   * @throws RuntimeException (a Redis exception) when the store cannot be read
   */
  void forEachKey(String prefix, java.util.function.Consumer<String> action);

  /** Takes or joins the soft lock on {@code key}; returns the token in effect, null if down. */
  String lock(String key, String token, long timeoutMicros, long lockTtlMillis);

  void unlock(String key, String token, long lockTtlMillis);

  /**
   * {@link #lock} on every key, in one round trip; the tokens in effect in the order of {@code
   * keys}, all null if the store is down.
   */
  List<String> lockAll(
      List<String> keys, List<String> tokens, long timeoutMicros, long lockTtlMillis);

  /** {@link #unlock} of every key with its token (null: invalidate), in one round trip. */
  void unlockAll(List<String> keys, List<String> tokens, long lockTtlMillis);

  /**
   * Caches the writer's value if its lock was never shared and was taken after the region's last
   * clear, else unlocks.
   */
  boolean afterUpdate(
      String key,
      String clearKey,
      String token,
      String version,
      byte[] payload,
      long ttlMillis,
      long lockTtlMillis);

  /**
   * Caches an inserted value if nothing is cached under {@code key} and the inserting transaction
   * started after the region's last clear.
   */
  boolean afterInsert(
      String key,
      String clearKey,
      long startedMicros,
      String version,
      byte[] payload,
      long ttlMillis);

  /** Hides whatever is cached and refuses put-from-loads of transactions started before now. */
  void invalidate(String key, long lockTtlMillis);

  /** Deletes the entry unless a writer's lock is on it. */
  void removeUnlessLocked(String key);

  boolean putFromLoad(
      String key,
      String clearKey,
      long startedMicros,
      byte[] item,
      long ttlMillis,
      long maxAgeMicros,
      boolean minimalPut);

  /**
   * Sends the writes as one pipeline (one round trip), never a blind overwrite; whether each was
   * stored, in the order of {@code writes} (all false if the store was unreachable).
   */
  default List<Boolean> writeAll(List<Write> writes) {
    return writeAllAsync(writes, stored -> {}).join();
  }

  /**
   * As {@link #writeAll}, without waiting for the answer: the writes are sent now; {@code onAnswer}
   * gets the answer when it comes, and then the future completes with it (never exceptionally).
   * Until then this store's reads of those keys wait, so this node reads its own write-backs, and
   * what {@code onAnswer} recorded.
   */
  CompletableFuture<List<Boolean>> writeAllAsync(
      List<Write> writes, Consumer<List<Boolean>> onAnswer);

  /**
   * Waits until every write-back this node sent has its answer (before closing; {@code MultiGet});
   * false if some had none within the wait.
   */
  default boolean awaitWriteBacks() {
    return true;
  }

  @Override
  void close();

  /** A buffered write-back of one loaded value. */
  sealed interface Write {
    String key();

    /** The clear key of the entry's region (same hash slot as {@link #key()}). */
    String clearKey();

    /** When the loading transaction started (store time, microseconds). */
    long startedMicros();

    /** The record to store. */
    byte[] record();

    /** Time to live of the stored record, in milliseconds (0: none). */
    long ttlMillis();

    /**
     * The oldest the loading transaction may be when the write reaches the store: older, it may
     * have read a row whose writer's lock or invalidation marker has expired since, and is refused.
     */
    long maxAgeMicros();
  }

  /**
   * Add-if-absent (NONSTRICT_READ_WRITE and READ_ONLY), the {@code add} step of {@code entry.lua}:
   * refused if the region was cleared since the loading transaction started.
   */
  record AddIfAbsent(
      String key,
      String clearKey,
      long startedMicros,
      byte[] record,
      long ttlMillis,
      long maxAgeMicros)
      implements Write {}

  /**
   * A load under {@code CacheMode.REFRESH} into a NONSTRICT_READ_WRITE or READ_ONLY region, the
   * {@code refresh} step of {@code entry.lua}: replaces what is cached (the mode's point is to
   * overwrite entries the database no longer matches), unless the region was cleared since the
   * loading transaction started or a writer's lock is on the entry that it did not start after.
   */
  record Refresh(
      String key,
      String clearKey,
      long startedMicros,
      byte[] record,
      long ttlMillis,
      long maxAgeMicros)
      implements Write {}

  /** READ_WRITE put-from-load, the {@code put-from-load} step of {@code entry.lua}. */
  record PutFromLoad(
      String key,
      String clearKey,
      long startedMicros,
      byte[] item,
      long ttlMillis,
      long maxAgeMicros,
      boolean minimalPut)
      implements Write {

    @Override
    public byte[] record() {
      return item;
    }
  }
}
