package dev.coalesce.redis;

/**
 * Setting keys that every Coalesce module reads, all under {@value #PREFIX}. Set them in
 * persistence.xml, in {@code spring.jpa.properties.*}, or in the map given to Hibernate.
 *
 * <p>Redis is configured by exactly one of {@link #REDIS_ADDRESS}, {@link #REDIS_CONFIG} or {@link
 * #REDIS_CLIENT}. When none is given, each module falls back to its in-JVM {@code local} store.
 */
public final class CoalesceSettings {

  /** Prefix of every Coalesce setting. */
  public static final String PREFIX = "hibernate.coalesce.";

  /**
   * Address of a single Redis server, {@code redis://host:port} or {@code rediss://host:port} for
   * TLS. Default: none.
   */
  public static final String REDIS_ADDRESS = PREFIX + "redis.address";

  /**
   * A Redisson YAML configuration, as a file path or {@code classpath:name.yaml}: for Redis
   * Cluster, Sentinel, TLS, authentication and pool sizes. Default: none.
   */
  public static final String REDIS_CONFIG = PREFIX + "redis.config";

  /**
   * A {@code org.redisson.api.RedissonClient} instance put into the properties map, to reuse the
   * application's client. Coalesce never shuts down a client it was given. Default: none.
   */
  public static final String REDIS_CLIENT = PREFIX + "redis.client";

  /**
   * Prefix of every Redis key Coalesce writes, so several applications can share one Redis.
   * Default: {@value #DEFAULT_NAMESPACE}.
   */
  public static final String NAMESPACE = PREFIX + "namespace";

  /** Default of {@link #NAMESPACE}. */
  public static final String DEFAULT_NAMESPACE = "coalesce";

  /**
   * A {@code io.micrometer.core.instrument.MeterRegistry} instance put into the properties map:
   * where Coalesce publishes its meters. Default: Micrometer's {@code Metrics.globalRegistry} when
   * Micrometer is on the class path; without Micrometer no meters are published (and giving this
   * setting fails the boot).
   */
  public static final String METRICS_REGISTRY = PREFIX + "metrics.registry";

  private CoalesceSettings() {}
}
