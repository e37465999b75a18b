package dev.coalesce.cache.internal;

import dev.coalesce.cache.CacheReport;
import dev.coalesce.redis.internal.KeyNamespace;
import dev.coalesce.redis.internal.RedisClock;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.redis.internal.metrics.Meters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.jboss.logging.Logger;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;

/**
 * The store of one region factory and the storages of its regions: what {@code
 * MultigetRegionFactory} builds at start and hands regions and sessions.
 *
 * <p>Over our usual 250 lines: what one factory's regions share (the store, the clock, the meters)
 * and the report of their state for Actuator, which walks them all.
 */
final class RegionStores implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(RegionStores.class);

  private final String factory;
  private final EntryStore store;
  private final KeyNamespace keys;
  private final Duration defaultTtl;
  private final Map<String, Duration> regionTtls;
  private final long lockTimeoutMicros;
  private final RedisClock clock;
  private final DecodingContext.PerFactory decoding = new DecodingContext.PerFactory();

  /** Hash tags per region: {@link RegionStorage#CLUSTER_SHARDS} on a Redis Cluster, else 1. */
  private final int shards;

  private final Meters meters;
  private final Map<String, RegionMeters> regionMeters = new ConcurrentHashMap<>();
  private final RedisOutage outage;
  private final LongSupplier nanoTime;

  private RegionStores(
      String factory,
      EntryStore store,
      RedisClock clock,
      KeyNamespace keys,
      Duration defaultTtl,
      Map<String, Duration> regionTtls,
      Duration lockTimeout,
      Meters meters,
      RedisOutage outage,
      int shards,
      LongSupplier nanoTime) {
    this.factory = factory;
    this.shards = shards;
    this.nanoTime = nanoTime;
    this.meters = meters;
    this.outage = outage;
    this.store = store;
    this.clock = clock;
    this.keys = keys;
    this.defaultTtl = defaultTtl;
    this.regionTtls = Map.copyOf(regionTtls);
    this.lockTimeoutMicros = lockTimeout.toNanos() / 1_000;
  }

  /**
   * Entries in Redis, stamped with Redis time through {@code clock}.
   *
   * @param factory the SessionFactory's name, which every WARN line names
   * @param target Redis's address
   */
  public static RegionStores redis(
      String factory,
      RedissonClient client,
      RedisClock clock,
      String target,
      KeyNamespace keys,
      Duration defaultTtl,
      Map<String, Duration> regionTtls,
      Duration lockTimeout,
      int waitReplicas,
      Duration waitReplicasTimeout,
      Duration outageRetry,
      LongSupplier nanoTime,
      Meters meters) {
    long lockTtlMillis = Math.max(1, lockTimeout.toMillis()) * 2;
    // Cached reads resume two retry intervals after Redis answers again: every other node that
    // could not send invalidations resends them within one (see resendPending).
    RedisOutage outage =
        new RedisOutage(
            factory,
            "Second-level cache",
            target,
            "Cache reads miss and go to the database, writes are skipped, invalidations are kept"
                + " and resent before cached reads resume.",
            "reads in it went to the database; invalidations kept meanwhile are resent and cached"
                + " reads resume in "
                + 2 * outageRetry.toMillis()
                + " ms",
            nanoTime,
            outageRetry.toNanos(),
            2 * outageRetry.toNanos());
    return new RegionStores(
        factory,
        new RedisEntryStore(
            client, clock, outage, lockTtlMillis, waitReplicas, waitReplicasTimeout),
        clock,
        keys,
        defaultTtl,
        regionTtls,
        lockTimeout,
        meters,
        outage,
        client.getConfig().isClusterConfig() ? RegionStorage.CLUSTER_SHARDS : 1,
        nanoTime);
  }

  /**
   * Entries in this JVM, on {@code clockMicros}; {@code factory} as for {@link #redis}; {@code
   * nanoTime} times the multi-gets.
   */
  public static RegionStores local(
      String factory,
      LongSupplier clockMicros,
      LongSupplier nanoTime,
      KeyNamespace keys,
      Duration defaultTtl,
      Map<String, Duration> regionTtls,
      Duration lockTimeout,
      Meters meters) {
    return new RegionStores(
        factory,
        new LocalEntryStore(clockMicros),
        null,
        keys,
        defaultTtl,
        regionTtls,
        lockTimeout,
        meters,
        null,
        1,
        nanoTime);
  }

  /** Storage of an entity/collection/natural-id or query-results region. */
  public RegionStorage region(String regionName) {
    Duration ttl = regionTtls.getOrDefault(regionName, defaultTtl);
    return new RegionStorage(
        factory,
        regionName,
        prefix(regionName),
        store,
        ttl.toMillis(),
        lockTimeoutMicros,
        decoding,
        false,
        shards,
        meters(regionName));
  }

  /** Storage of the timestamps region: its entries never expire (a missing one reads as fresh). */
  public RegionStorage timestamps(String regionName) {
    return new RegionStorage(
        factory,
        regionName,
        prefix(regionName),
        store,
        0,
        lockTimeoutMicros,
        decoding,
        true,
        shards,
        meters(regionName));
  }

  /**
   * The store's state and every region's entry count (one walk of the store's keys under this
   * namespace's cache prefix, and a multi-get per 500 keys): values a reader would get, not locks
   * and not what a region clear hid (a clear leaves keys in place).
   */
  public CacheReport report() {
    Map<String, Long> entries = new TreeMap<>();
    regionMeters.keySet().forEach(region -> entries.put(region, 0L));
    Map<String, String> regionOfPrefix = new HashMap<>();
    entries.keySet().forEach(region -> regionOfPrefix.put(prefix(region), region));
    boolean counted;
    try {
      List<String> batch = new ArrayList<>(REPORT_BATCH);
      List<String> batchRegions = new ArrayList<>(REPORT_BATCH);
      store.forEachKey(
          keys.key("c") + ":",
          key -> {
            if (key.endsWith("!clear")) {
              return; // a region's clear time, not an entry
            }
            // a region's name may hold ':', as may an entry's key text: match whole prefixes
            for (Map.Entry<String, String> prefix : regionOfPrefix.entrySet()) {
              if (key.startsWith(prefix.getKey())) {
                batch.add(key);
                batchRegions.add(prefix.getValue());
              }
            }
            if (batch.size() >= REPORT_BATCH) {
              countReadable(batch, batchRegions, entries);
            }
          });
      countReadable(batch, batchRegions, entries);
      counted = true;
    } catch (RedisException e) {
      LOG.debugf(e, "Second-level cache: cannot count the entries of its regions");
      counted = false;
    }
    List<CacheReport.Region> regions = new ArrayList<>(entries.size());
    for (Map.Entry<String, Long> region : entries.entrySet()) {
      regions.add(new CacheReport.Region(region.getKey(), counted ? region.getValue() : null));
    }
    return outage == null
        ? new CacheReport("local", true, true, null, 0, regions)
        : new CacheReport(
            "redis",
            !outage.isDown(),
            outage.mayServe(),
            outage.downFor(),
            outage.failedCalls(),
            regions);
  }

  private static final int REPORT_BATCH = 500;

  /**
   * Adds to {@code entries} the keys of {@code batch} that hold a value a reader would get: not a
   * lock, not hidden by their region's clear (a clear leaves keys in place); then empties the
   * batch.
   */
  private void countReadable(
      List<String> batch, List<String> batchRegions, Map<String, Long> entries) {
    if (batch.isEmpty()) {
      return;
    }
    List<String> clearKeys = new ArrayList<>();
    List<Integer> clearOf = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      String clearKey = RegionStorage.clearKeyOf(prefix(batchRegions.get(i)), batch.get(i));
      int index = clearKeys.indexOf(clearKey);
      if (index < 0) {
        index = clearKeys.size();
        clearKeys.add(clearKey);
      }
      clearOf.add(index);
    }
    List<String> asked = new ArrayList<>(batch);
    asked.addAll(clearKeys);
    List<byte[]> found = store.getAll(asked);
    for (int i = 0; i < batch.size(); i++) {
      long clearedAt = Records.clearedAt(found.get(batch.size() + clearOf.get(i)));
      byte[] record = Records.unlessCleared(found.get(i), clearedAt);
      byte kind = Records.kind(record);
      if (kind == Records.ITEM || kind == Records.PLAIN) {
        entries.merge(batchRegions.get(i), 1L, Long::sum);
      }
    }
    batch.clear();
    batchRegions.clear();
  }

  /** One set of meters per region, however often its storage is asked for. */
  private RegionMeters meters(String regionName) {
    return regionMeters.computeIfAbsent(regionName, name -> new RegionMeters(meters, name));
  }

  private String prefix(String regionName) {
    return keys.key("c", regionName) + ":";
  }

  /**
   * A session's caching timestamp: the store's time, lowered by the clock's uncertainty so that
   * "started after" comparisons against times Redis stamped never err on the unsafe side.
   */
  public long nextTimestamp() {
    long now = store.nowMicros();
    return clock == null ? now : now - clock.uncertaintyMicros();
  }

  /** Resends what could not be sent while Redis was unreachable; call every retry interval. */
  public void resendPending() {
    store.resendPending();
  }

  public long lockTimeoutMicros() {
    return lockTimeoutMicros;
  }

  public TransactionCache newTransactionCache(SharedSessionContractImplementor session) {
    return new TransactionCache(session, this::nextTimestamp, nanoTime, store);
  }

  /** Waits until every write-back this node sent has its answer; false if some had none. */
  public boolean awaitWriteBacks() {
    return store.awaitWriteBacks();
  }

  @Override
  public void close() {
    store.close();
  }
}
