package dev.coalesce.samples.tracker.stream;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RScoredSortedSetAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The stream as one Redis sorted set per project, scored by the time an issue was last seen. Each
 * {@link #add} is the talk's pipeline, one round trip: {@code ZADD key <time> <id>} then {@code
 * ZREMRANGEBYRANK key 0 -(capacity + 1)}, which drops everything below the newest {@code capacity}
 * ids.
 */
public final class RedisIssueStream implements IssueStream {

  private final RedissonClient redis;
  private final String keyPrefix;
  private final int capacity;

  /**
   * @param keyPrefix prefix of the keys, for example {@code event-tracker:stream}; the key of a
   *     project is {@code <keyPrefix>:<projectId>}
   */
  public RedisIssueStream(RedissonClient redis, String keyPrefix, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("stream capacity must be at least 1, was " + capacity);
    }
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.capacity = capacity;
  }

  @Override
  public void add(long projectId, long issueId, Instant seen) {
    RBatch pipeline = redis.createBatch(BatchOptions.defaults());
    RScoredSortedSetAsync<String> stream =
        pipeline.getScoredSortedSet(key(projectId), StringCodec.INSTANCE);
    stream.addAsync(seen.toEpochMilli(), Long.toString(issueId));
    stream.removeRangeByRankAsync(0, -(capacity + 1));
    pipeline.execute();
  }

  @Override
  public List<Long> recent(long projectId, int limit) {
    Collection<String> members =
        redis
            .<String>getScoredSortedSet(key(projectId), StringCodec.INSTANCE)
            .valueRangeReversed(0, limit - 1);
    List<Long> ids = new ArrayList<>(members.size());
    for (String member : members) {
      ids.add(Long.valueOf(member));
    }
    return ids;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  private String key(long projectId) {
    return keyPrefix + ":" + projectId;
  }
}
