package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.PartitionBacklog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Deltas kept in this JVM, with the same claim / ack protocol as Redis. Deltas not yet flushed are
 * lost if the process dies.
 *
 * <p>Several nodes may use the local store on one database, each flushing its own deltas: its
 * sequence numbers are this JVM's alone ({@link #shared()} is false), so the flusher does not
 * compare them with the shared ledger (another node's claims may carry the same numbers) but
 * records each local claim, by node and sequence number, in the table of applied local claims in
 * its flush transaction. A claim retried after an ambiguous commit is thereby applied once, and a
 * claim is never discarded because another node advanced the ledger.
 */
final class LocalDeltaStore implements DeltaStore {

  private static final long NONE = Long.MAX_VALUE;

  private final Partition[] partitions;
  private final Clock clock;

  LocalDeltaStore(int partitions, Clock clock) {
    this.partitions = new Partition[partitions];
    for (int i = 0; i < partitions; i++) {
      this.partitions[i] = new Partition();
    }
    this.clock = clock;
  }

  @Override
  public int partitions() {
    return partitions.length;
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public PushReply push(Push push) {
    // A push in this JVM cannot half fail, but the contract is the store's (push.lua's): each
    // partition applies a node's push only if its number is above the last one it applied there,
    // so a push sent twice (by a caller that cannot tell) is counted once.
    long now = clock.millis();
    Map<Integer, Map<CounterKey, Long>> byPartition = new TreeMap<>();
    push.deltas()
        .forEach(
            (key, delta) ->
                byPartition
                    .computeIfAbsent(key.partition(partitions.length), p -> new HashMap<>())
                    .put(key, delta));
    int alreadyApplied = 0;
    for (Map.Entry<Integer, Map<CounterKey, Long>> deltas : byPartition.entrySet()) {
      Partition partition = partitions[deltas.getKey()];
      // pushes share the read lock; a claim takes the write lock to move deltas atomically
      partition.lock.readLock().lock();
      try {
        boolean[] applies = new boolean[1];
        partition.lastPushes.compute(
            push.node(),
            (node, last) -> {
              applies[0] = last == null || push.seq() > last;
              return applies[0] ? push.seq() : last;
            });
        if (!applies[0]) {
          alreadyApplied++;
          continue;
        }
        deltas
            .getValue()
            .forEach(
                (key, delta) ->
                    partition.live.computeIfAbsent(key, k -> new LongAdder()).add(delta));
        partition.liveSince.compareAndSet(NONE, now);
      } finally {
        partition.lock.readLock().unlock();
      }
    }
    return alreadyApplied == 0 ? PushReply.APPLIED : new PushReply(alreadyApplied, Map.of());
  }

  @Override
  public Optional<Claim> claim(int index, int maxRows, long seqFloor) {
    Partition partition = partitions[index];
    partition.lock.writeLock().lock();
    try {
      if (partition.inflight != null) {
        return Optional.of(partition.inflight);
      }
      Map<CounterKey, Long> moved = new HashMap<>();
      Set<String> rows = new HashSet<>();
      for (Iterator<Map.Entry<CounterKey, LongAdder>> it = partition.live.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<CounterKey, LongAdder> entry = it.next();
        String row = entry.getKey().row();
        if (rows.contains(row) || rows.size() < maxRows) {
          rows.add(row);
          long delta = entry.getValue().sum();
          if (delta != 0) {
            moved.put(entry.getKey(), delta);
          }
          it.remove();
        }
      }
      long since = partition.liveSince.get();
      if (partition.live.isEmpty()) {
        partition.liveSince.set(NONE);
      }
      if (moved.isEmpty()) {
        return Optional.empty();
      }
      long seq = Math.max(partition.lastSeq, seqFloor) + 1;
      partition.lastSeq = seq;
      partition.inflight = new Claim(index, seq, Map.copyOf(moved));
      partition.inflightSince = since;
      return Optional.of(partition.inflight);
    } finally {
      partition.lock.writeLock().unlock();
    }
  }

  @Override
  public void ack(int index, long seq) {
    Partition partition = partitions[index];
    partition.lock.writeLock().lock();
    try {
      if (partition.inflight != null && partition.inflight.seq() == seq) {
        partition.inflight = null;
        partition.inflightSince = NONE;
      }
    } finally {
      partition.lock.writeLock().unlock();
    }
  }

  @Override
  public PendingDelta pending(CounterKey key) {
    Partition partition = partitions[key.partition(partitions.length)];
    partition.lock.readLock().lock();
    try {
      LongAdder live = partition.live.get(key);
      Claim inflight = partition.inflight;
      Long inflightDelta = inflight == null ? null : inflight.deltas().get(key);
      return new PendingDelta(
          live == null ? 0 : live.sum(),
          inflightDelta == null ? 0 : inflightDelta,
          inflightDelta == null ? 0 : inflight.seq());
    } finally {
      partition.lock.readLock().unlock();
    }
  }

  @Override
  public List<PartitionBacklog> backlog() {
    List<PartitionBacklog> backlog = new ArrayList<>(partitions.length);
    long now = clock.millis();
    for (int p = 0; p < partitions.length; p++) {
      Partition partition = partitions[p];
      partition.lock.readLock().lock();
      try {
        long oldest = partition.liveSince.get();
        long inFlight = 0;
        if (partition.inflight != null) {
          oldest = Math.min(oldest, partition.inflightSince);
          inFlight = partition.inflight.deltas().size();
        }
        backlog.add(
            new PartitionBacklog(
                p,
                partition.live.size(),
                inFlight,
                Duration.ofMillis(oldest == NONE ? 0 : Math.max(0, now - oldest))));
      } finally {
        partition.lock.readLock().unlock();
      }
    }
    return backlog;
  }

  @Override
  public void close() {
    // nothing to release; what was not flushed is gone with the JVM, as documented
  }

  private static final class Partition {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final ConcurrentHashMap<CounterKey, LongAdder> live = new ConcurrentHashMap<>();
    final AtomicLong liveSince = new AtomicLong(NONE);

    /** The number of the last push of each node applied here (nodes: one per start). */
    final ConcurrentHashMap<String, Long> lastPushes = new ConcurrentHashMap<>();

    Claim inflight;
    long inflightSince = NONE;
    long lastSeq;
  }
}
