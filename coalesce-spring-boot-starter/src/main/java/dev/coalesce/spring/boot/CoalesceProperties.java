package dev.coalesce.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code coalesce.*} application properties, each mapped onto the Hibernate setting of the same
 * meaning ({@code hibernate.coalesce.*}). A setting also given as {@code
 * spring.jpa.properties.hibernate.coalesce.*} keeps that value. Settings of a module that is not on
 * the class path are not passed on.
 *
 * <p>Over our usual 250 lines: one nested class per group of properties, each property with the
 * javadoc that becomes its IDE description; one file keeps them in the order the README lists them.
 */
@ConfigurationProperties("coalesce")
public class CoalesceProperties {

  /** Whether Coalesce's auto-configuration applies at all. */
  private boolean enabled = true;

  private final Redis redis = new Redis();
  private final Buffer buffer = new Buffer();
  private final Cache cache = new Cache();
  private final Data data = new Data();
  private final Health health = new Health();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Redis getRedis() {
    return redis;
  }

  public Buffer getBuffer() {
    return buffer;
  }

  public Cache getCache() {
    return cache;
  }

  public Data getData() {
    return data;
  }

  public Health getHealth() {
    return health;
  }

  /** Where Redis is; without address or config, the application's RedissonClient bean is used. */
  public static class Redis {

    /** One Redis server: redis://host:port, rediss://host:port for TLS. */
    private String address;

    /** A Redisson YAML file, as a path or classpath:name.yaml (Cluster, Sentinel, TLS). */
    private String config;

    /** Prefix of every Redis key Coalesce writes. */
    private String namespace = "coalesce";

    /**
     * Whether to reuse the application's RedissonClient bean (when there is exactly one) when
     * neither address nor config is given.
     */
    private boolean useApplicationClient = true;

    public String getAddress() {
      return address;
    }

    public void setAddress(String address) {
      this.address = address;
    }

    public String getConfig() {
      return config;
    }

    public void setConfig(String config) {
      this.config = config;
    }

    public String getNamespace() {
      return namespace;
    }

    public void setNamespace(String namespace) {
      this.namespace = namespace;
    }

    public boolean isUseApplicationClient() {
      return useApplicationClient;
    }

    public void setUseApplicationClient(boolean useApplicationClient) {
      this.useApplicationClient = useApplicationClient;
    }
  }

  /** Where a delta waits until it is flushed. */
  public enum Store {
    /** In Redis, shared by every node. */
    REDIS,
    /** In this JVM, lost if it dies before a flush. */
    LOCAL
  }

  /** hibernate-buffer: counters buffered in Redis. */
  public static class Buffer {

    /** False: counters are ordinary columns written by Hibernate's UPDATE. */
    private boolean enabled = true;

    /** Where deltas wait; default: redis when Redis is configured, else local. */
    private Store store;

    /** Time between two background flushes. */
    private Duration flushInterval = Duration.ofSeconds(5);

    /** Partitions the deltas are spread over; the same on every node. */
    private int partitions = 16;

    /** Bound on the rows of one flush transaction. */
    private int maxRowsPerFlush = 1000;

    /** How long closing waits for queued pushes, and then for the final flush. */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    /** The longest a committing thread waits for its deltas to reach the store. */
    private Duration pushTimeout = Duration.ofMillis(250);

    /** The most committed deltas kept in memory while Redis does not take them. */
    private int maxQueuedDeltas = 10_000;

    /** Redis replicas that must hold a push before it counts (WAIT). */
    private int waitReplicas = 0;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Store getStore() {
      return store;
    }

    public void setStore(Store store) {
      this.store = store;
    }

    public Duration getFlushInterval() {
      return flushInterval;
    }

    public void setFlushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
    }

    public int getPartitions() {
      return partitions;
    }

    public void setPartitions(int partitions) {
      this.partitions = partitions;
    }

    public int getMaxRowsPerFlush() {
      return maxRowsPerFlush;
    }

    public void setMaxRowsPerFlush(int maxRowsPerFlush) {
      this.maxRowsPerFlush = maxRowsPerFlush;
    }

    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    public Duration getPushTimeout() {
      return pushTimeout;
    }

    public void setPushTimeout(Duration pushTimeout) {
      this.pushTimeout = pushTimeout;
    }

    public int getMaxQueuedDeltas() {
      return maxQueuedDeltas;
    }

    public void setMaxQueuedDeltas(int maxQueuedDeltas) {
      this.maxQueuedDeltas = maxQueuedDeltas;
    }

    public int getWaitReplicas() {
      return waitReplicas;
    }

    public void setWaitReplicas(int waitReplicas) {
      this.waitReplicas = waitReplicas;
    }
  }

  /** hibernate-cache-multiget: the Redis second-level cache. */
  public static class Cache {

    /**
     * Whether to make the multi-get cache Hibernate's second-level cache
     * (hibernate.cache.use_second_level_cache and region.factory_class=multiget).
     */
    private boolean enabled = true;

    /** Where entries live; default: redis when Redis is configured, else local. */
    private Store store;

    /** Time-to-live of a cached entry. */
    private Duration ttl = Duration.ofHours(1);

    /** Time-to-live per region (an entity's name unless @Cache(region = ...)). */
    private Map<String, Duration> regionTtl = new LinkedHashMap<>();

    /** How long a READ_WRITE soft lock protects an entry whose writer never released it. */
    private Duration lockTimeout = Duration.ofMinutes(1);

    /** How often each node measures its clock's offset to Redis TIME. */
    private Duration clockSyncInterval = Duration.ofSeconds(5);

    /** The most queued ids a batch fetch reads in one multi-get. */
    private int batchPrefetchLimit = 512;

    /**
     * Replicas a READ_WRITE lock must reach before its writer's SQL runs (Redis WAIT); 0: the
     * master's answer suffices. Set 1 or more with replicas that can be promoted (Sentinel,
     * Cluster).
     */
    private int waitReplicas = 0;

    /** How long a lock waits for those replicas before the write is refused. */
    private Duration waitReplicasTimeout = Duration.ofSeconds(1);

    public int getWaitReplicas() {
      return waitReplicas;
    }

    public void setWaitReplicas(int waitReplicas) {
      this.waitReplicas = waitReplicas;
    }

    public Duration getWaitReplicasTimeout() {
      return waitReplicasTimeout;
    }

    public void setWaitReplicasTimeout(Duration waitReplicasTimeout) {
      this.waitReplicasTimeout = waitReplicasTimeout;
    }

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Store getStore() {
      return store;
    }

    public void setStore(Store store) {
      this.store = store;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    public Map<String, Duration> getRegionTtl() {
      return regionTtl;
    }

    public void setRegionTtl(Map<String, Duration> regionTtl) {
      this.regionTtl = regionTtl;
    }

    public Duration getLockTimeout() {
      return lockTimeout;
    }

    public void setLockTimeout(Duration lockTimeout) {
      this.lockTimeout = lockTimeout;
    }

    public Duration getClockSyncInterval() {
      return clockSyncInterval;
    }

    public void setClockSyncInterval(Duration clockSyncInterval) {
      this.clockSyncInterval = clockSyncInterval;
    }

    public int getBatchPrefetchLimit() {
      return batchPrefetchLimit;
    }

    public void setBatchPrefetchLimit(int batchPrefetchLimit) {
      this.batchPrefetchLimit = batchPrefetchLimit;
    }
  }

  /** Spring Data JPA repositories. */
  public static class Data {

    /**
     * Whether findAllById of every Spring Data JPA repository loads through the multi-get (unless
     * the application sets its own repositoryBaseClass).
     */
    private boolean multigetFindAllById = true;

    public boolean isMultigetFindAllById() {
      return multigetFindAllById;
    }

    public void setMultigetFindAllById(boolean multigetFindAllById) {
      this.multigetFindAllById = multigetFindAllById;
    }
  }

  /** The Actuator health indicator "coalesce". */
  public static class Health {

    /** The health is DOWN when the oldest pending counter delta is older than this. */
    private Duration maxPendingAge = Duration.ofMinutes(1);

    public Duration getMaxPendingAge() {
      return maxPendingAge;
    }

    public void setMaxPendingAge(Duration maxPendingAge) {
      this.maxPendingAge = maxPendingAge;
    }
  }
}
