package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.BufferSettings.Store;
import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.internal.SettingsReader;
import java.time.Duration;
import java.util.Map;

/**
 * The buffer's settings, read and validated once at boot, when the buffer is enabled ({@link
 * BufferSettings#ENABLED} is read by the integrator alone, before this).
 */
record BufferConfig(
    Store store,
    Duration flushInterval,
    int partitions,
    int maxRowsPerFlush,
    Duration shutdownTimeout,
    Duration pushTimeout,
    int maxQueuedDeltas,
    int waitReplicas,
    int flushThreads) {

  /** How long one push attempt waits for Redis before it is in doubt and sent again. */
  Duration pushAttemptTimeout() {
    Duration fourTimes = pushTimeout.multipliedBy(4);
    return fourTimes.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : fourTimes;
  }

  static BufferConfig read(Map<?, ?> settings, boolean redisConfigured) {
    SettingsReader reader = new SettingsReader(settings);
    Store store =
        reader.choice(
            BufferSettings.STORE, Store.class, redisConfigured ? Store.REDIS : Store.LOCAL);
    if (store == Store.REDIS && !redisConfigured) {
      throw new CoalesceConfigurationException(
          "Invalid value 'redis' for setting "
              + BufferSettings.STORE
              + ": Redis is not configured; set "
              + BufferSettings.REDIS_ADDRESS
              + ", "
              + BufferSettings.REDIS_CONFIG
              + " or "
              + BufferSettings.REDIS_CLIENT
              + ", or use local");
    }
    return new BufferConfig(
        store,
        reader.duration(BufferSettings.FLUSH_INTERVAL, BufferSettings.DEFAULT_FLUSH_INTERVAL),
        reader.positiveInt(BufferSettings.PARTITIONS, BufferSettings.DEFAULT_PARTITIONS),
        reader.positiveInt(
            BufferSettings.MAX_ROWS_PER_FLUSH, BufferSettings.DEFAULT_MAX_ROWS_PER_FLUSH),
        reader.duration(BufferSettings.SHUTDOWN_TIMEOUT, BufferSettings.DEFAULT_SHUTDOWN_TIMEOUT),
        reader.duration(BufferSettings.PUSH_TIMEOUT, BufferSettings.DEFAULT_PUSH_TIMEOUT),
        reader.positiveInt(
            BufferSettings.MAX_QUEUED_DELTAS, BufferSettings.DEFAULT_MAX_QUEUED_DELTAS),
        reader.nonNegativeInt(BufferSettings.WAIT_REPLICAS, 0),
        reader.positiveInt(BufferSettings.FLUSH_THREADS, BufferSettings.DEFAULT_FLUSH_THREADS));
  }
}
