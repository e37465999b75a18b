package dev.coalesce.buffer;

import dev.coalesce.redis.CoalesceSettings;
import java.time.Duration;

/**
 * Every setting of the counter buffer, with default and unit. Set them in persistence.xml, in
 * {@code spring.jpa.properties.*}, or in the map given to Hibernate. Durations need a unit: {@code
 * 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601 such as {@code PT5S}; a bare
 * number is refused at boot.
 */
public final class BufferSettings {

  /** Address of a single Redis server, {@code redis://host:port} or {@code rediss://}. None. */
  public static final String REDIS_ADDRESS = CoalesceSettings.REDIS_ADDRESS;

  /** A Redisson YAML file (path or {@code classpath:}), for cluster, sentinel, TLS, auth. None. */
  public static final String REDIS_CONFIG = CoalesceSettings.REDIS_CONFIG;

  /** A {@code RedissonClient} instance put in the properties map, never closed by us. None. */
  public static final String REDIS_CLIENT = CoalesceSettings.REDIS_CLIENT;

  /** Prefix of every Redis key. Default {@code coalesce}. */
  public static final String NAMESPACE = CoalesceSettings.NAMESPACE;

  /**
   * {@code true} or {@code false}. Default {@code true}. When {@code false}, {@link
   * BufferedCounter} attributes are ordinary columns written by Hibernate's UPDATE.
   */
  public static final String ENABLED = "hibernate.coalesce.buffer.enabled";

  /**
   * Where deltas wait: {@code redis} or {@code local} (in this JVM: lost if it dies before a flush;
   * each node flushes its own). Default: {@code redis} if any Redis setting is given, else {@code
   * local}.
   */
  public static final String STORE = "hibernate.coalesce.buffer.store";

  /** Time between two background flushes, a duration. Default {@code 5s}. */
  public static final String FLUSH_INTERVAL = "hibernate.coalesce.buffer.flush_interval";

  /** Default of {@link #FLUSH_INTERVAL}. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(5);

  /**
   * Number of partitions the deltas are spread over; each is claimed and flushed on its own. A
   * count; every node of one application must use the same. Default {@code 16}.
   */
  public static final String PARTITIONS = "hibernate.coalesce.buffer.partitions";

  /** Default of {@link #PARTITIONS}. */
  public static final int DEFAULT_PARTITIONS = 16;

  /** At most this many rows in one flush transaction, a count. Default {@code 1000}. */
  public static final String MAX_ROWS_PER_FLUSH = "hibernate.coalesce.buffer.max_rows_per_flush";

  /** Default of {@link #MAX_ROWS_PER_FLUSH}. */
  public static final int DEFAULT_MAX_ROWS_PER_FLUSH = 1000;

  /**
   * How many partitions one flush applies at once when they hold more than one claim's worth of
   * rows (a backlog), each in transactions of its own, a count; each takes a database connection
   * while it runs. Default {@code 2}.
   */
  public static final String FLUSH_THREADS = "hibernate.coalesce.buffer.flush_threads";

  /** Default of {@link #FLUSH_THREADS}. */
  public static final int DEFAULT_FLUSH_THREADS = 2;

  /**
   * How long closing the SessionFactory waits for the final flush, a duration. Default {@code 30s}.
   */
  public static final String SHUTDOWN_TIMEOUT = "hibernate.coalesce.buffer.shutdown_timeout";

  /** Default of {@link #SHUTDOWN_TIMEOUT}. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The longest an application thread waits, after its transaction committed, for the deltas to
   * reach the store, a duration. Past it (Redis stalled or slow) the deltas wait in memory and are
   * pushed in the background; until a push succeeds again, commits do not wait at all. Default
   * {@code 250ms}.
   */
  public static final String PUSH_TIMEOUT = "hibernate.coalesce.buffer.push_timeout";

  /** Default of {@link #PUSH_TIMEOUT}. */
  public static final Duration DEFAULT_PUSH_TIMEOUT = Duration.ofMillis(250);

  /**
   * The most committed deltas kept in memory while the store does not take them, a count; a commit
   * that finds the queue full applies its deltas straight to the database. It bounds what a JVM
   * crash during a Redis stall can lose. Default {@code 10000}.
   */
  public static final String MAX_QUEUED_DELTAS = "hibernate.coalesce.buffer.max_queued_deltas";

  /** Default of {@link #MAX_QUEUED_DELTAS}. */
  public static final int DEFAULT_MAX_QUEUED_DELTAS = 10_000;

  /**
   * How many Redis replicas must hold a push before it counts as done, and a claim before the
   * flusher applies it, a count. With {@code 1} and one replica per master, a master that dies and
   * is replaced by its replica loses no acknowledged increment and doubles no claim; each push and
   * claim then waits for the replica ({@code WAIT}). Default {@code 0}: acknowledged by the master
   * alone, so a failover can lose what the replica had not received yet.
   */
  public static final String WAIT_REPLICAS = "hibernate.coalesce.buffer.wait_replicas";

  /** Values of {@link #STORE}. */
  public enum Store {
    /**
     * Deltas wait in this JVM, lost if the process dies before a flush; each node flushes its own.
     */
    LOCAL,
    /** Deltas wait in Redis, shared by every node, flushed exactly once. */
    REDIS
  }

  private BufferSettings() {}
}
