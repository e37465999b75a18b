package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.PartitionsFailedException;
import dev.coalesce.redis.internal.Outage;
import dev.coalesce.redis.internal.metrics.CoalesceMetrics;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.jboss.logging.Logger;

/**
 * Claims, applies and acknowledges the deltas of each partition (docs/design.md, section 4): one
 * database transaction per claim that first advances the partition's ledger row, then runs one
 * JDBC-batched {@code UPDATE ... SET c = c + ?} per row, ids sorted, and records in the same
 * transaction the deltas it cannot apply (a row whose UPDATE fails with a data error, a counter not
 * mapped, an id that no longer parses) in {@value Ledger#FAILED_TABLE}. A claim whose sequence
 * number the ledger already holds is acknowledged without applying it again. Claims of the {@code
 * local} store are identified by node instead (see {@link Ledger}).
 *
 * <p>Partitions are independent: a partition that fails (lost connection, statement timeout,
 * deadlock, a store error) keeps its claim in flight for the next flush and does not stop the
 * others. It is logged with its number and cause, unless the database or the store is unreachable:
 * an outage is logged once by its {@link Outage}, not per partition and flush. With a shared store,
 * a node takes a lease per partition before claiming ({@link Leases}), so that in the normal case
 * two nodes do not flush one partition at once.
 *
 * <p>This class is the flush loop: leases, the ledger's floors, the first claims in one round trip,
 * the outage report. Applying the claims partition by partition is {@link PartitionFlushes}; one
 * claim's transaction is {@link ClaimApplier}, its plan {@link FlushPlan}, its transaction {@link
 * FlushTransactions} and its row updates {@link RowUpdates}.
 *
 * <p>Somewhat over our usual 250 lines: most of it is the specification of the two flushes in their
 * javadoc.
 */
final class Flusher {

  private static final Logger LOG = Logger.getLogger(Flusher.class);

  /**
   * The running flusher of each factory, for the fault points of this package's tests. Weak both
   * ways (a flusher refers to its factory): a closed factory is never kept from collection.
   */
  private static final Map<SessionFactoryImplementor, WeakReference<Flusher>> RUNNING =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final String factoryName;
  private final DeltaStore store;
  private final Ledger ledger;
  private final Leases leases;
  private final int maxRows;
  private final FlushTransactions transactions;
  private final ClaimApplier applier;
  private final Outage database;
  private final PartitionFlushes partitionFlushes;
  private final ReentrantLock lock = new ReentrantLock();

  /** Test-only fault points (this package's tests); {@link FlushFaults#NONE} in production. */
  volatile FlushFaults faults = FlushFaults.NONE;

  /**
   * A flusher for {@code model}'s counters. Creates the flusher's tables (in Hibernate's default
   * catalog and schema) and the partitions' rows if missing.
   *
   * @param clock for lease times and the age of applied local claims
   * @param nanoTime for the duration of flush transactions
   * @param threads how many partitions a flush applies at once (a backlog)
   * @param database the buffer's view of the database's reachability, shared with the pusher: a
   *     flush that cannot reach the database reports to it, one that can ends its outage
   */
  public static Flusher start(
      SessionFactoryImplementor factory,
      CounterModel model,
      DeltaStore store,
      int maxRows,
      StatsRecorder stats,
      Clock clock,
      LongSupplier nanoTime,
      int threads,
      Outage database) {
    Map<String, Object> settings = factory.getProperties();
    Ledger ledger =
        new Ledger(
            (String) settings.get(AvailableSettings.DEFAULT_CATALOG),
            (String) settings.get(AvailableSettings.DEFAULT_SCHEMA));
    ledger.create(factory, store.partitions(), clock.millis());
    Flusher flusher =
        new Flusher(
            factory, model, store, ledger, maxRows, stats, clock, nanoTime, threads, database);
    RUNNING.put(factory, new WeakReference<>(flusher));
    return flusher;
  }

  /** The flusher of {@code factory}, for tests of this package; null when it has none. */
  static Flusher of(SessionFactoryImplementor factory) {
    WeakReference<Flusher> flusher = RUNNING.get(factory);
    return flusher == null ? null : flusher.get();
  }

  private Flusher(
      SessionFactoryImplementor factory,
      CounterModel model,
      DeltaStore store,
      Ledger ledger,
      int maxRows,
      StatsRecorder stats,
      Clock clock,
      LongSupplier nanoTime,
      int threads,
      Outage database) {
    // as the meters' tag names it: the factory's name, else its persistence unit's
    this.factoryName = factory.getServiceRegistry().requireService(CoalesceMetrics.class).factory();
    this.database = database;
    this.store = store;
    this.ledger = ledger;
    String node = UUID.randomUUID().toString();
    this.leases = new Leases(ledger.leaseTable(), node, clock);
    this.maxRows = maxRows;
    this.transactions = new FlushTransactions(factory);
    this.applier =
        new ClaimApplier(
            factoryName, model, store, ledger, transactions, node, clock, nanoTime, stats);
    this.partitionFlushes =
        new PartitionFlushes(factoryName, store, applier, transactions, leases, maxRows, threads);
  }

  /** This flusher's leases, for tests of this package. */
  Leases leases() {
    return leases;
  }

  /**
   * Flushes every partition until what was pending when it started is in the database: for {@code
   * CounterBuffer.flush()} and the last flush at close. Takes over the lease of a partition another
   * node is flushing (that node stops at its next renewal, after its current claim at most; the
   * ledger keeps the claim from applying twice).
   *
   * <p>Every partition is tried even when some fail; then a {@link PartitionsFailedException} names
   * the partitions that failed, so a caller never takes a partial flush for a complete one.
   *
   * @return rows updated
   * @throws PartitionsFailedException when one or more partitions failed (the others flushed)
   * @throws RuntimeException when the flush could not start (the database or the store failing for
   *     every partition: the leases, the ledger or the first claims could not be read)
   */
  public long flushAll() {
    return flush(true);
  }

  /**
   * The background flush: as {@link #flushAll()}, but leaves a partition whose lease another node
   * holds to that node.
   */
  public long flushScheduled() {
    return flush(false);
  }

  private long flush(boolean takeOver) {
    lock.lock();
    try {
      faults.beforeFlush();
      return flushReportingOutage(takeOver);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@link #flushHeld}, reporting to the database's outage: a flush that cannot reach the database
   * (for its leases, its ledger, or any partition) counts one failed call; one whose first
   * transaction commits ends the outage.
   */
  private long flushReportingOutage(boolean takeOver) {
    try {
      return flushHeld(takeOver);
    } catch (RuntimeException e) {
      DatabaseUnreachable.reportTo(database, "flushing counters", e);
      throw e;
    }
  }

  private long flushHeld(boolean takeOver) {
    int partitions = store.partitions();
    Start start = begin(takeOver);
    database.succeeded();
    try {
      long[] floors = start.floors();
      BitSet mine = start.partitions();
      // the first claim of every partition in one round trip: an idle store costs one per flush
      List<Optional<Claim>> firstClaims = store.claimAll(mine, maxRows, floors);
      FlushFaults faults = this.faults;
      long rows = 0;
      BitSet drained = new BitSet(partitions);
      rows += partitionFlushes.applySmallClaimsTogether(mine, firstClaims, floors, drained, faults);
      BitSet failed = new BitSet(partitions);
      List<RuntimeException> failures = new ArrayList<>();
      List<Integer> remaining = new ArrayList<>();
      for (int partition = mine.nextSetBit(0);
          partition >= 0;
          partition = mine.nextSetBit(partition + 1)) {
        if (drained.get(partition)) {
          faults.partitionDone(partition);
        } else if (firstClaims.get(partition).isPresent()) {
          remaining.add(partition);
        }
      }
      rows += partitionFlushes.flushEach(remaining, firstClaims, floors, failed, failures, faults);
      if (!failures.isEmpty()) {
        throw new PartitionsFailedException(failed, partitions, failures);
      }
      return rows;
    } finally {
      releaseLeases(start.partitions());
    }
  }

  /** Stops the workers of parallel flushes; for the factory's close, after its last flush. */
  public void close() {
    partitionFlushes.close();
  }

  /** The partitions this flush holds (their leases) and the ledger's values. */
  private record Start(BitSet partitions, long[] floors) {}

  private Start begin(boolean takeOver) {
    int partitions = store.partitions();
    return transactions.shortly(
        connection -> {
          BitSet mine;
          if (!store.shared()) {
            // the local store's deltas are this node's own: no other node can flush them
            mine = new BitSet(partitions);
            mine.set(0, partitions);
          } else if (takeOver) {
            mine = leases.takeOver(connection, partitions);
          } else {
            mine = leases.acquire(connection, partitions);
            if (LOG.isDebugEnabled() && mine.cardinality() < partitions) {
              LOG.debugf(
                  "Partitions held by other nodes, left to them: %d of %d",
                  partitions - mine.cardinality(), partitions);
            }
          }
          return new Start(mine, ledger.lastSeqs(connection, partitions));
        });
  }

  private void releaseLeases(BitSet partitions) {
    if (!store.shared()) {
      return;
    }
    try {
      transactions.shortly(
          connection -> {
            leases.release(connection, partitions);
            return null;
          });
    } catch (RuntimeException e) {
      // nothing is lost: the leases expire by themselves and no other node needs them to be right
      if (DatabaseUnreachable.reportTo(database, "releasing the counter flush leases", e)) {
        return; // logged once, by the outage
      }
      LOG.warnf(
          "SessionFactory '%s': cannot release the counter flush leases of this node (%s); nothing"
              + " to do: they expire within %s, and no other node needs them released",
          factoryName, e, Leases.DEFAULT_DURATION);
    }
  }

  /**
   * Applies deltas straight to the database in a new transaction, without the store: for a
   * transaction whose push provably never reached the store. Deltas that cannot be applied are
   * recorded in {@value Ledger#FAILED_TABLE} in the same transaction.
   *
   * @return rows updated
   */
  public long applyDirect(Map<CounterKey, Long> deltas) {
    return applier.applyDirect(deltas);
  }

  /** The last applied sequence number of {@code partition}, read from the database. */
  public long appliedSeq(int partition) {
    return transactions
        .shortly(connection -> ledger.lastSeqs(connection, store.partitions()))[partition];
  }
}
