package dev.coalesce.redis.internal;

import java.time.Duration;
import org.redisson.api.BatchOptions;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.client.RedisWaitException;

/**
 * Writes that must be on {@code replicas} replicas before they count: the batch ends with {@code
 * WAIT}, and a shortfall fails it. Redisson reports how many replicas acknowledged a {@code WAIT}
 * ({@link BatchResult#getSyncedSlaves()}) but does not fail the batch when too few did, so {@link
 * #execute} does. One rule for the buffer's pushes and claims and the cache's locks. For the
 * Coalesce modules.
 *
 * @param replicas how many replicas must acknowledge; 0 waits for none
 * @param timeout how long {@code WAIT} waits
 * @param setting the setting that asked for it, named in the failure
 */
public record ReplicaWait(int replicas, Duration timeout, String setting) {

  /** Options that end the batch with {@code WAIT} when replicas are asked for. */
  public BatchOptions apply(BatchOptions options) {
    return replicas == 0 ? options : options.sync(replicas, timeout);
  }

  /**
   * Executes {@code batch}, made with {@link #apply}.
   *
   * @throws RedisWaitException when fewer than {@link #replicas} acknowledged within the timeout:
   *     the writes are on the master, perhaps not on a replica a failover would promote
   */
  public BatchResult<?> execute(RBatch batch) {
    BatchResult<?> result = batch.execute();
    if (replicas > 0 && result.getSyncedSlaves() < replicas) {
      throw new RedisWaitException(
          "Only "
              + result.getSyncedSlaves()
              + " of the "
              + replicas
              + " replicas asked for acknowledged within "
              + timeout
              + " ("
              + setting
              + ")");
    }
    return result;
  }
}
