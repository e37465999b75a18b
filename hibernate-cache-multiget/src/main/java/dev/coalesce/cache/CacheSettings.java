package dev.coalesce.cache;

import dev.coalesce.redis.CoalesceSettings;

/**
 * Every setting of the multi-get second-level cache, all under {@value #PREFIX}. The Redis
 * connection itself is configured by the shared {@link CoalesceSettings} ({@code
 * hibernate.coalesce.redis.*}, {@code hibernate.coalesce.namespace}).
 *
 * <p>Enable the cache with {@code hibernate.cache.use_second_level_cache=true} and {@code
 * hibernate.cache.region.factory_class=multiget}. Durations need a unit: {@code 250ms}, {@code 5s},
 * {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT5S}.
 */
public final class CacheSettings {

  /** Prefix of every setting of this module. */
  public static final String PREFIX = CoalesceSettings.PREFIX + "cache.";

  /** The short name to give {@code hibernate.cache.region.factory_class}. */
  public static final String SHORT_NAME = "multiget";

  /**
   * Where entries live: {@code redis} (shared by every node) or {@code local} (an in-JVM store, for
   * one node and for tests). Default: {@code redis} if any {@code hibernate.coalesce.redis.*}
   * setting is given, else {@code local}.
   */
  public static final String STORE = PREFIX + "store";

  /** Time-to-live of a cached entry, a duration. Default: {@code 1h}. */
  public static final String TTL = PREFIX + "ttl";

  /** Default of {@link #TTL}. */
  public static final String DEFAULT_TTL = "1h";

  /**
   * Prefix of a per-region time-to-live: {@code hibernate.coalesce.cache.region.<region>.ttl}, a
   * duration. Default: {@link #TTL}. Timestamps-region entries never expire, whatever is set.
   */
  public static final String REGION_PREFIX = PREFIX + "region.";

  /** Suffix of the per-region time-to-live, see {@link #REGION_PREFIX}. */
  public static final String REGION_TTL_SUFFIX = ".ttl";

  /**
   * How long a READ_WRITE soft lock protects an entry when its writer never unlocks it (a crash),
   * and the oldest a transaction may be for its database reads to be written into the cache, a
   * duration. Default: {@code 1m}.
   */
  public static final String LOCK_TIMEOUT = PREFIX + "lock_timeout";

  /** Default of {@link #LOCK_TIMEOUT}. */
  public static final String DEFAULT_LOCK_TIMEOUT = "1m";

  /**
   * How often each node measures its clock's offset to Redis {@code TIME}, a duration. Session
   * timestamps are the local clock plus that offset, so no session costs a round trip for its
   * timestamp. Default: {@code 5s}.
   */
  public static final String CLOCK_SYNC_INTERVAL = PREFIX + "clock_sync_interval";

  /** Default of {@link #CLOCK_SYNC_INTERVAL}. */
  public static final String DEFAULT_CLOCK_SYNC_INTERVAL = "5s";

  /**
   * The most ids of one entity or collection role that a batch fetch (lazy proxies or collections
   * with {@code @BatchSize} or {@code hibernate.default_batch_fetch_size}) reads from the cache in
   * one multi-get, a count. Default: {@value #DEFAULT_BATCH_PREFETCH_LIMIT}.
   */
  public static final String BATCH_PREFETCH_LIMIT = PREFIX + "batch_prefetch_limit";

  /** Default of {@link #BATCH_PREFETCH_LIMIT}. */
  public static final int DEFAULT_BATCH_PREFETCH_LIMIT = 512;

  /**
   * How many replicas must have a READ_WRITE soft lock before its writer's SQL runs, a count: the
   * lock step ends with {@code WAIT}, and a lock fewer replicas acknowledged within {@link
   * #WAIT_REPLICAS_TIMEOUT} fails the write (a {@code CacheException}, its transaction rolls back).
   * A replica promoted by a failover then holds the lock of every committed write, never the value
   * before it. Default {@code 0}: locks are acknowledged by the master alone, and a failover to a
   * replica that missed them can serve values older than a commit.
   */
  public static final String WAIT_REPLICAS = PREFIX + "wait_replicas";

  /** How long a lock step waits for {@link #WAIT_REPLICAS} replicas, a duration. Default 1s. */
  public static final String WAIT_REPLICAS_TIMEOUT = PREFIX + "wait_replicas_timeout";

  /** Default of {@link #WAIT_REPLICAS_TIMEOUT}. */
  public static final String DEFAULT_WAIT_REPLICAS_TIMEOUT = "1s";

  /** Values of {@link #STORE}. */
  public enum Store {
    /** Entries in Redis, shared by every node; READ_WRITE is safe across nodes. */
    REDIS,
    /** Entries in this JVM only: for one node and for tests. */
    LOCAL
  }

  /** The per-region TTL key of {@code region}. */
  public static String regionTtl(String region) {
    return REGION_PREFIX + region + REGION_TTL_SUFFIX;
  }

  private CacheSettings() {}
}
