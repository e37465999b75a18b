package dev.coalesce.buffer.internal;

import dev.coalesce.redis.internal.DaemonThreads;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * The claims of one flush, applied partition by partition once {@link Flusher} holds the leases and
 * the first claim of every partition: the small first claims of many partitions together in one
 * transaction, then each remaining partition claim after claim until it is drained (or its lease is
 * lost), {@code threads} partitions at a time for a backlog. A partition's failure is logged
 * (unless it is an outage, which its {@code Outage} logs once) and collected; it never stops the
 * others.
 */
final class PartitionFlushes {

  private static final Logger LOG = Logger.getLogger(PartitionFlushes.class);

  /** Bound on the claims of one partition in one flush: each moves up to max rows. */
  private static final int MAX_CLAIMS_PER_PARTITION = 1_000;

  private final String factoryName;
  private final DeltaStore store;
  private final ClaimApplier applier;
  private final FlushTransactions transactions;
  private final Leases leases;
  private final int maxRows;
  private final int threads;
  private ExecutorService partitionWorkers;
  private final RepeatedFailures repeated = new RepeatedFailures();

  PartitionFlushes(
      String factoryName,
      DeltaStore store,
      ClaimApplier applier,
      FlushTransactions transactions,
      Leases leases,
      int maxRows,
      int threads) {
    this.factoryName = factoryName;
    this.store = store;
    this.applier = applier;
    this.transactions = transactions;
    this.leases = leases;
    this.maxRows = maxRows;
    this.threads = threads;
  }

  /**
   * Applies the first claims that are small (fewer rows than a claim may take, so their partitions
   * are drained by them) in one database transaction, up to {@code maxRows} rows in all: an
   * interval with a few rows in many partitions costs one commit, not one per partition. If that
   * transaction fails, nothing of it is applied and each claim is applied on its own after, so one
   * partition's trouble (a locked row, a timeout) does not hold the others back.
   *
   * @param drained receives the partitions this applied completely
   * @return rows updated
   */
  long applySmallClaimsTogether(
      BitSet mine,
      List<Optional<Claim>> firstClaims,
      long[] floors,
      BitSet drained,
      FlushFaults faults) {
    List<Claim> group = new ArrayList<>();
    int rowsInGroup = 0;
    for (int partition = mine.nextSetBit(0);
        partition >= 0;
        partition = mine.nextSetBit(partition + 1)) {
      Optional<Claim> claim = firstClaims.get(partition);
      if (claim.isPresent()) {
        int rows = ClaimApplier.rowCount(claim.get());
        if (rows < maxRows && rowsInGroup + rows <= maxRows) {
          group.add(claim.get());
          rowsInGroup += rows;
        }
      }
    }
    if (group.size() < 2) {
      return 0;
    }
    for (Claim claim : group) {
      faults.afterClaim(claim);
    }
    try {
      long rows = applier.applyTogether(group, floors, faults).rows();
      for (Claim claim : group) {
        drained.set(claim.partition());
        repeated.succeeded(claim.partition());
        if (store.shared()) {
          floors[claim.partition()] = Math.max(floors[claim.partition()], claim.seq());
        }
      }
      return rows;
    } catch (RuntimeException e) {
      LOG.debugf(
          e, "Flush of %d small claims together failed; applying them one by one", group.size());
      return 0;
    }
  }

  /** Claims and applies {@code partition} until it is drained (or its lease is lost). */
  private long flushPartition(
      int partition, Optional<Claim> first, long[] floors, FlushFaults faults) {
    long rows = 0;
    Optional<Claim> claim = first;
    for (int pass = 0; pass < MAX_CLAIMS_PER_PARTITION && claim.isPresent(); pass++) {
      faults.afterClaim(claim.get());
      ClaimApplier.Applied applied = applier.apply(claim.get(), floors[partition], faults);
      if (store.shared()) {
        floors[partition] = Math.max(floors[partition], claim.get().seq());
      }
      rows += applied.rows();
      if (applied.applied() && applied.rowCount() < maxRows) {
        break; // live held fewer rows than one claim takes: the partition is drained
      }
      if (store.shared() && !renewLease(partition)) {
        LOG.debugf(
            "Lease of partition %d taken over by another node; leaving it the rest", partition);
        break;
      }
      claim = store.claim(partition, maxRows, floors[partition]);
    }
    return rows;
  }

  private boolean renewLease(int partition) {
    return transactions.shortly(connection -> leases.renew(connection, partition));
  }

  /**
   * Flushes {@code partitions} until each is drained, {@code threads} at a time (each partition in
   * claims and transactions of its own); failures are collected, never stop the others.
   *
   * @return rows updated
   */
  long flushEach(
      List<Integer> partitions,
      List<Optional<Claim>> firstClaims,
      long[] floors,
      BitSet failed,
      List<RuntimeException> failures,
      FlushFaults faults) {
    if (threads <= 1 || partitions.size() <= 1) {
      long rows = 0;
      for (int partition : partitions) {
        rows += flushPartitionReporting(partition, firstClaims, floors, failed, failures, faults);
      }
      return rows;
    }
    if (partitionWorkers == null) {
      partitionWorkers =
          Executors.newFixedThreadPool(
              threads, DaemonThreads.named("coalesce-buffer-flush-worker"));
    }
    List<Future<Long>> results = new ArrayList<>();
    for (int partition : partitions) {
      results.add(
          partitionWorkers.submit(
              () ->
                  flushPartitionReporting(
                      partition, firstClaims, floors, failed, failures, faults)));
    }
    // every worker is done before this flush returns, whatever failed: a worker still running
    // after it would flush its partition beside the next flush
    long rows = 0;
    Throwable failure = null;
    for (Future<Long> result : results) {
      try {
        rows += result.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = add(failure, new IllegalStateException("Interrupted while flushing", e));
      } catch (ExecutionException e) {
        // an Error in a worker: flushPartitionReporting handles every RuntimeException
        failure = add(failure, e.getCause());
      }
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure != null) {
      throw (RuntimeException) failure;
    }
    return rows;
  }

  private static Throwable add(Throwable first, Throwable next) {
    if (first == null) {
      return next instanceof Error || next instanceof RuntimeException
          ? next
          : new IllegalStateException(next);
    }
    first.addSuppressed(next);
    return first;
  }

  /**
   * Flushes one partition; a failure is logged and collected (synchronized: workers share them).
   */
  private long flushPartitionReporting(
      int partition,
      List<Optional<Claim>> firstClaims,
      long[] floors,
      BitSet failed,
      List<RuntimeException> failures,
      FlushFaults faults) {
    try {
      long rows = flushPartition(partition, firstClaims.get(partition), floors, faults);
      repeated.succeeded(partition);
      return rows;
    } catch (RuntimeException e) {
      if (StoreUnreachableException.causedBy(e)) {
        // the store's outage is logged once, by the buffer (RedisOutage), not per partition
        LOG.debugf(e, "Counter flush of partition %d failed: the store does not answer", partition);
      } else if (DatabaseUnreachable.causedBy(e)) {
        // the database's outage is logged once (its Outage), not per partition and flush
        LOG.debugf(
            e, "Counter flush of partition %d failed: the database does not answer", partition);
      } else if (!repeated.isNew(partition, e)) {
        LOG.debugf(e, "Counter flush of partition %d failed again, as logged before", partition);
      } else {
        LOG.warnf(
            e,
            "SessionFactory '%s': counter flush of partition %d failed; what it claimed stays in"
                + " flight and the next flush applies it once. If this repeats, fix the cause"
                + " below (the database, a lock or a statement timeout). The same failure of"
                + " this partition again is logged at DEBUG",
            factoryName,
            partition);
      }
      synchronized (failures) {
        failed.set(partition);
        failures.add(e);
      }
      return 0;
    } finally {
      faults.partitionDone(partition);
    }
  }

  /** Stops the workers of parallel flushes; for the factory's close, after its last flush. */
  void close() {
    if (partitionWorkers != null) {
      partitionWorkers.shutdownNow();
    }
  }
}
