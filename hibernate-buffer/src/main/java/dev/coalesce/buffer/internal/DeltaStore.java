package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.PartitionBacklog;
import dev.coalesce.redis.internal.KeyNamespace;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.redisson.api.RedissonClient;

/**
 * Where committed deltas wait for the flusher, partitioned. Knows nothing about Hibernate.
 *
 * <p>Protocol per partition: {@link #push} adds to the live deltas; {@link #claim} moves live
 * deltas in flight under a new sequence number (or returns the claim already in flight); {@link
 * #ack} drops the in-flight claim once the database holds it.
 */
interface DeltaStore extends AutoCloseable {

  /**
   * Deltas kept in this JVM, lost if the process dies before a flush. Several nodes may each keep
   * their own on one database: see {@link LocalDeltaStore}.
   *
   * @param clock for the age of the oldest pending delta
   */
  static DeltaStore local(int partitions, Clock clock) {
    return new LocalDeltaStore(partitions, clock);
  }

  /**
   * Deltas kept in Redis under {@code keys}, shared by every node; reads the partitions' epochs now
   * (one round trip). The client stays open when the store closes: it belongs to the
   * SessionFactory's {@code RedisConnection}.
   *
   * @param factoryName the SessionFactory's name, which its WARN and ERROR lines name
   * @param attemptTimeout how long one push attempt waits for Redis before it is in doubt
   * @param waitReplicas how many replicas must have a push or a claim before it counts (0: none)
   */
  static DeltaStore redis(
      String factoryName,
      RedissonClient client,
      KeyNamespace keys,
      int partitions,
      Duration attemptTimeout,
      int waitReplicas) {
    RedisDeltaStore store =
        new RedisDeltaStore(factoryName, client, keys, partitions, attemptTimeout, waitReplicas);
    store.start();
    return store;
  }

  int partitions();

  /**
   * Whether every node sees the same deltas and claims ({@code redis}), so that a claim may be
   * applied by any node and the database ledger's sequence numbers are shared; false for the {@code
   * local} store, whose claims live in one JVM only.
   */
  default boolean shared() {
    return true;
  }

  /**
   * Adds the deltas of a push to the live deltas, all at once (one round trip for Redis), unless
   * the store applied this push before.
   *
   * @throws StoreUnreachableException if this attempt provably reached no part of the store
   * @throws RuntimeException any other failure is ambiguous: the push may have been applied, in
   *     part or whole; send it again ({@link Push#asRetry()}) to settle it
   */
  PushReply push(Push push);

  /**
   * The claim in flight for {@code partition}, or a new one of at most {@code maxRows} rows with a
   * sequence number above {@code seqFloor}; empty when there is nothing to flush.
   */
  Optional<Claim> claim(int partition, int maxRows, long seqFloor);

  /**
   * {@link #claim} for each partition set in {@code which} at once (one round trip for Redis),
   * {@code seqFloors} indexed by partition; the result is indexed by partition too, empty for the
   * partitions not in {@code which}.
   */
  default List<Optional<Claim>> claimAll(BitSet which, int maxRows, long[] seqFloors) {
    List<Optional<Claim>> claims = new ArrayList<>(partitions());
    for (int partition = 0; partition < partitions(); partition++) {
      claims.add(
          which.get(partition)
              ? claim(partition, maxRows, seqFloors[partition])
              : Optional.empty());
    }
    return claims;
  }

  /** Drops the in-flight claim of {@code partition} if it still carries {@code seq}. */
  void ack(int partition, long seq);

  /** {@link #ack} of every claim in {@code claims}, at once (one round trip for Redis). */
  default void ackAll(List<Claim> claims) {
    claims.forEach(claim -> ack(claim.partition(), claim.seq()));
  }

  /** What is held for one counter, live and in flight. */
  PendingDelta pending(CounterKey key);

  /** What each partition holds, live and in flight (one round trip for Redis). */
  List<PartitionBacklog> backlog();

  /**
   * Age in milliseconds of the oldest delta held, live or in flight, or empty when the store holds
   * nothing.
   */
  default OptionalLong oldestPendingAgeMillis() {
    OptionalLong oldest = OptionalLong.empty();
    for (PartitionBacklog partition : backlog()) {
      if (partition.liveDeltas() + partition.inFlightDeltas() > 0) {
        long age = partition.oldestAge().toMillis();
        oldest = OptionalLong.of(Math.max(age, oldest.orElse(age)));
      }
    }
    return oldest;
  }

  @Override
  void close();
}
