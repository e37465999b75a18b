package dev.coalesce.cache.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.hibernate.cache.spi.CacheTransactionSynchronization;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * One session's view of the cache: its caching timestamp (Redis time, from the local clock plus the
 * measured offset, so opening a session costs no round trip), the entries prefetched by a multi-get
 * (absent ones too) until the transaction completes, and the write-backs of the load in progress,
 * sent as one pipeline when it ends.
 *
 * <p>Hibernate still makes its per-id cache calls (so its statistics stay right); they are answered
 * from here.
 *
 * <p>Over our usual 250 lines: the prefetched entries and the write-backs share one session's
 * lifetime and its timestamp.
 */
final class TransactionCache implements CacheTransactionSynchronization {

  static final byte[] ABSENT = new byte[0];

  private final SharedSessionContractImplementor session;
  private final LongSupplier timestamps;
  private final LongSupplier nanoTime;
  private final EntryStore store;
  private final Map<EntryKey, byte[]> known = new HashMap<>();
  private final List<EntryStore.Write> writes = new ArrayList<>();
  private final List<RegionMeters> writeMeters = new ArrayList<>();
  private final List<PutStatistic> writeStatistics = new ArrayList<>();
  private long timestamp;
  private int batchDepth;
  private List<EntryKey> collected;
  private List<?> queryRows = List.of();
  private final Set<String> queryRowsPrefetched = new HashSet<>();

  TransactionCache(
      SharedSessionContractImplementor session,
      LongSupplier timestamps,
      LongSupplier nanoTime,
      EntryStore store) {
    this.session = session;
    this.timestamps = timestamps;
    this.nanoTime = nanoTime;
    this.store = store;
    this.timestamp = timestamps.getAsLong();
  }

  /** The session's cache view, or null if the session's factory does not use this cache. */
  public static TransactionCache of(SharedSessionContractImplementor session) {
    return session.getCacheTransactionSynchronization() instanceof TransactionCache cache
        ? cache
        : null;
  }

  @Override
  public long getCachingTimestamp() {
    return timestamp;
  }

  @Override
  public void transactionJoined() {
    timestamp = timestamps.getAsLong();
    known.clear();
    forgetQueryRows();
  }

  @Override
  public void transactionCompleting() {
    flush();
  }

  @Override
  public void transactionCompleted(boolean successful) {
    flush();
    known.clear();
    forgetQueryRows();
  }

  /** A load of many entries starts: buffer its write-backs until the outermost one ends. */
  public void beginBatch() {
    batchDepth++;
  }

  /** Ends {@link #beginBatch()}; the outermost end sends the buffered write-backs at once. */
  public void endBatch() {
    if (--batchDepth == 0) {
      flush();
      if (!session.isTransactionInProgress()) {
        known.clear();
      }
    }
  }

  /**
   * Starts recording the keys the cache is asked for, answering each with a miss and without going
   * to the store: how the queued ids of a batch fetch are learned before one multi-get.
   */
  void startCollecting() {
    collected = new ArrayList<>();
  }

  /** Stops recording and returns the recorded keys. */
  List<EntryKey> stopCollecting() {
    List<EntryKey> keys = collected;
    collected = null;
    return keys == null ? List.of() : keys;
  }

  boolean isCollecting() {
    return collected != null;
  }

  void collect(EntryKey key) {
    collected.add(key);
  }

  /** The rows of this transaction's last query-cache hit, replacing the previous hit's. */
  void queryRowsRead(List<?> rows) {
    queryRows = rows;
    queryRowsPrefetched.clear();
  }

  /**
   * The rows of this transaction's last query-cache hit (each a value or an array of values, as
   * Hibernate caches them), or an empty list.
   */
  public List<?> queryRows() {
    return queryRows;
  }

  /** True the first time it is called for {@code entityName} since the last query-cache hit. */
  public boolean firstQueryRowsPrefetch(String entityName) {
    return queryRowsPrefetched.add(entityName);
  }

  private void forgetQueryRows() {
    queryRows = List.of();
    queryRowsPrefetched.clear();
  }

  byte[] known(EntryKey key) {
    return known.get(key);
  }

  boolean isKnown(EntryKey key) {
    return known.containsKey(key);
  }

  /**
   * One multi-get of the keys not known yet, with the clear keys of their regions (see {@link
   * RegionStorage}); a no-op if all are known.
   */
  void prefetchKeys(RegionMeters meters, List<EntryKey> keys) {
    List<EntryKey> unknown = new ArrayList<>(keys.size());
    List<String> storeKeys = new ArrayList<>(keys.size() + 1);
    List<String> clearKeys = new ArrayList<>(1);
    for (EntryKey key : keys) {
      if (!known.containsKey(key)) {
        unknown.add(key);
        storeKeys.add(key.full());
        String clearKey = key.clearKey();
        // a few at most: one per region and shard
        if (clearKey != null && !clearKeys.contains(clearKey)) {
          clearKeys.add(clearKey);
        }
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    storeKeys.addAll(clearKeys);
    long startedNanos = nanoTime.getAsLong();
    List<byte[]> found = store.getAll(storeKeys);
    long tookNanos = nanoTime.getAsLong() - startedNanos;
    List<byte[]> entries = new ArrayList<>(unknown.size());
    long[] clearedAt = new long[clearKeys.size()];
    for (int c = 0; c < clearedAt.length; c++) {
      clearedAt[c] = Records.clearedAt(found.get(unknown.size() + c));
    }
    for (int i = 0; i < unknown.size(); i++) {
      EntryKey key = unknown.get(i);
      byte[] record = found.get(i);
      if (record != null && key.clearKey() != null) {
        record = Records.unlessCleared(record, clearedAt[clearKeys.indexOf(key.clearKey())]);
      }
      known.put(key, record == null ? ABSENT : record);
      entries.add(record);
    }
    meters.multiGet(tookNanos, entries);
  }

  void forget(EntryKey key) {
    known.remove(key);
  }

  /**
   * Buffers the write if a batch is open, or if the session is reading rows in a transaction (the
   * put-from-loads of a query's rows, sent when its entities' post-load events fire, see {@link
   * #rowsLoaded}); false if the caller must send it now. A buffered write that the store stores is
   * counted in Hibernate's put statistics as {@code statistic} says (nothing if null).
   */
  boolean buffer(RegionMeters meters, EntryStore.Write write, PutStatistic statistic) {
    if (batchDepth <= 0 && !readingRows()) {
      return false;
    }
    writes.add(write);
    writeMeters.add(meters);
    writeStatistics.add(statistic);
    return true;
  }

  private boolean readingRows() {
    return session.isEventSource()
        && session.isTransactionInProgress()
        && !session.getPersistenceContextInternal().getLoadContexts().isLoadingFinished();
  }

  /**
   * The rows of a result have been read (Hibernate fires its entities' post-load events): sends the
   * write-backs buffered meanwhile as one pipeline, unless a batch is open (its end sends them).
   */
  public void rowsLoaded() {
    if (batchDepth <= 0) {
      flush();
    }
  }

  /**
   * Sends the buffered write-backs as one pipeline and does not wait for the answer: the caller has
   * its entities, and a put-from-load is conditional, so when it lands changes nothing but whether
   * it is stored (reads of these keys on this node wait for it, see {@link
   * EntryStore#writeAllAsync}). Meters and Hibernate's put statistics count the answer when it
   * comes.
   */
  private void flush() {
    if (!writes.isEmpty()) {
      List<EntryStore.Write> batch = new ArrayList<>(writes);
      List<RegionMeters> meters = new ArrayList<>(writeMeters);
      List<PutStatistic> statistics = new ArrayList<>(writeStatistics);
      writes.clear();
      writeMeters.clear();
      writeStatistics.clear();
      store.writeAllAsync(
          batch,
          stored -> {
            for (int i = 0; i < meters.size(); i++) {
              meters.get(i).writeBack(stored.get(i));
              if (stored.get(i) && statistics.get(i) != null) {
                statistics.get(i).count(session);
              }
            }
          });
    }
  }
}
