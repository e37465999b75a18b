package dev.coalesce.buffer.flush;

import dev.coalesce.buffer.model.CounterColumn;
import dev.coalesce.buffer.model.CounterModel;
import dev.coalesce.buffer.model.RootCounters;
import dev.coalesce.buffer.store.Claim;
import dev.coalesce.buffer.store.CounterKey;
import dev.coalesce.buffer.store.DeltaStore;
import java.lang.ref.WeakReference;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.hibernate.Transaction;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.type.descriptor.ValueBinder;
import org.jboss.logging.Logger;

/**
 * Claims, applies and acknowledges the deltas of each partition (DESIGN section 3): one database
 * transaction per claim that first advances the partition's ledger row, then runs one JDBC-batched
 * {@code UPDATE ... SET c = c + ?} per row, ids sorted, and records in the same transaction the
 * deltas it cannot apply (a row whose UPDATE fails with a data error, a counter not mapped, an id
 * that no longer parses) in {@value Ledger#FAILED_TABLE}. A claim whose sequence number the ledger
 * already holds is acknowledged without applying it again. Claims of the {@code local} store are
 * identified by node instead (see {@link Ledger}).
 *
 * <p>Partitions are independent: a partition that fails (lost connection, statement timeout,
 * deadlock, a store error) is logged with its number and cause, keeps its claim in flight for the
 * next flush, and does not stop the others. With a shared store, a node takes a lease per partition
 * before claiming ({@link Leases}), so that in the normal case two nodes do not flush one partition
 * at once.
 */
public final class Flusher {

  private static final Logger LOG = Logger.getLogger(Flusher.class);

  /** Bound on the claims of one partition in one flush: each moves up to max rows. */
  private static final int MAX_CLAIMS_PER_PARTITION = 1_000;

  /**
   * The running flusher of each factory, for the fault points of this package's tests. Weak both
   * ways (a flusher refers to its factory): a closed factory is never kept from collection.
   */
  private static final Map<SessionFactoryImplementor, WeakReference<Flusher>> RUNNING =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final SessionFactoryImplementor factory;
  private final CounterModel model;
  private final DeltaStore store;
  private final Ledger ledger;
  private final Leases leases;
  private final String node;
  private final Clock clock;
  private final int maxRows;
  private final StatsRecorder stats;
  private final CacheEviction eviction;
  private final ReentrantLock lock = new ReentrantLock();

  /** Per partition, local claims acknowledged whose applied row is still to delete. */
  private final List<List<String>> localAcked;

  /** Test-only fault points (this package's tests); {@link FlushFaults#NONE} in production. */
  volatile FlushFaults faults = FlushFaults.NONE;

  /**
   * {@link #start(SessionFactoryImplementor, CounterModel, DeltaStore, int, StatsRecorder, Clock)}
   * with the system clock.
   */
  public static Flusher start(
      SessionFactoryImplementor factory,
      CounterModel model,
      DeltaStore store,
      int maxRows,
      StatsRecorder stats) {
    return start(factory, model, store, maxRows, stats, Clock.systemUTC());
  }

  /**
   * A flusher for {@code model}'s counters. Creates the flusher's tables (in Hibernate's default
   * catalog and schema) and the partitions' rows if missing.
   *
   * @param clock for lease times and the age of applied local claims
   */
  public static Flusher start(
      SessionFactoryImplementor factory,
      CounterModel model,
      DeltaStore store,
      int maxRows,
      StatsRecorder stats,
      Clock clock) {
    Map<String, Object> settings = factory.getProperties();
    Ledger ledger =
        new Ledger(
            (String) settings.get(AvailableSettings.DEFAULT_CATALOG),
            (String) settings.get(AvailableSettings.DEFAULT_SCHEMA));
    ledger.create(factory, store.partitions(), clock.millis());
    Flusher flusher = new Flusher(factory, model, store, ledger, maxRows, stats, clock);
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
      Clock clock) {
    this.factory = factory;
    this.model = model;
    this.store = store;
    this.ledger = ledger;
    this.node = UUID.randomUUID().toString();
    this.clock = clock;
    this.leases = new Leases(ledger.leaseTable(), node, clock);
    this.maxRows = maxRows;
    this.stats = stats;
    this.eviction = new CacheEviction(factory);
    this.localAcked = new ArrayList<>(store.partitions());
    for (int partition = 0; partition < store.partitions(); partition++) {
      localAcked.add(new ArrayList<>());
    }
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
      int partitions = store.partitions();
      Start start = begin(takeOver);
      try {
        long[] floors = start.floors();
        BitSet mine = start.partitions();
        // the first claim of every partition in one round trip: an idle store costs one per flush
        List<Optional<Claim>> firstClaims = store.claimAll(mine, maxRows, floors);
        long rows = 0;
        BitSet failed = new BitSet(partitions);
        List<RuntimeException> failures = new ArrayList<>();
        for (int partition = mine.nextSetBit(0);
            partition >= 0;
            partition = mine.nextSetBit(partition + 1)) {
          try {
            rows += flushPartition(partition, firstClaims.get(partition), floors);
          } catch (RuntimeException e) {
            LOG.warnf(
                e,
                "Counter flush of partition %d failed; what it claimed stays in flight and the"
                    + " next flush applies it once",
                partition);
            failed.set(partition);
            failures.add(e);
          } finally {
            faults.partitionDone(partition);
          }
        }
        if (!failures.isEmpty()) {
          throw new PartitionsFailedException(failed, partitions, failures);
        }
        return rows;
      } finally {
        releaseLeases(start.partitions());
      }
    } finally {
      lock.unlock();
    }
  }

  /** The partitions this flush holds (their leases) and the ledger's values. */
  private record Start(BitSet partitions, long[] floors) {}

  private Start begin(boolean takeOver) {
    int partitions = store.partitions();
    return inShortTransaction(
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
      inShortTransaction(
          connection -> {
            leases.release(connection, partitions);
            return null;
          });
    } catch (RuntimeException e) {
      // nothing is lost: the leases expire by themselves and no other node needs them to be right
      LOG.warnf(
          "Cannot release the counter flush leases of this node; they expire within %s: %s",
          Leases.DEFAULT_DURATION, e);
    }
  }

  /** Claims and applies {@code partition} until it is drained (or its lease is lost). */
  private long flushPartition(int partition, Optional<Claim> first, long[] floors) {
    long rows = 0;
    Optional<Claim> claim = first;
    for (int pass = 0; pass < MAX_CLAIMS_PER_PARTITION && claim.isPresent(); pass++) {
      faults.afterClaim(claim.get());
      Applied applied = apply(claim.get(), floors[partition]);
      if (store.shared()) {
        floors[partition] = Math.max(floors[partition], claim.get().seq());
      }
      rows += applied.rows;
      if (applied.applied && applied.rowCount < maxRows) {
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
    return inShortTransaction(connection -> leases.renew(connection, partition));
  }

  /**
   * Applies deltas straight to the database in a new transaction, without the store: for a
   * transaction whose push provably never reached the store. Deltas that cannot be applied are
   * recorded in {@value Ledger#FAILED_TABLE} in the same transaction.
   *
   * @return rows updated
   */
  public long applyDirect(Map<CounterKey, Long> deltas) {
    Plan plan = plan(deltas);
    List<FailedRow> failed = new ArrayList<>();
    long updated =
        inTransaction(
            plan.updates(),
            (connection, session) -> {
              long rows = execute(connection, session, plan.updates(), failed);
              ledger.setAside(connection, setAside(null, plan, failed));
              return rows;
            });
    afterSetAside(plan, failed);
    return updated;
  }

  /** The last applied sequence number of {@code partition}, read from the database. */
  public long appliedSeq(int partition) {
    return readLedger()[partition];
  }

  private long[] readLedger() {
    try (var session = factory.openSession()) {
      return session.doReturningWork(connection -> ledger.lastSeqs(connection, store.partitions()));
    }
  }

  /** What one claim did; {@code applied} false when the database held it already. */
  private record Applied(boolean applied, long rows, int rowCount) {}

  private Applied apply(Claim claim, long floor) {
    Plan plan = plan(claim.deltas());
    int rowCount = plan.rowCount();
    boolean shared = store.shared();
    if (shared && claim.seq() <= floor) {
      // recovered claim the database already holds: only the ack was missing
      store.ack(claim.partition(), claim.seq());
      return new Applied(false, 0, rowCount);
    }
    String localClaim = shared ? null : node + ":" + claim.partition() + ":" + claim.seq();
    List<String> acked = shared ? List.of() : List.copyOf(localAcked.get(claim.partition()));
    List<FailedRow> failed = new ArrayList<>();
    Long updated =
        inTransaction(
            plan.updates(),
            (connection, session) -> {
              if (shared) {
                if (!ledger.advance(connection, claim.partition(), claim.seq())) {
                  return null;
                }
              } else {
                if (ledger.localApplied(connection, localClaim)) {
                  return null; // this node committed it before, and the commit's reply was lost
                }
                ledger.forgetLocalApplied(connection, acked);
                ledger.markLocalApplied(connection, localClaim, clock.millis());
              }
              long rows = execute(connection, session, plan.updates(), failed);
              // with the ledger row: set aside exactly when the claim is applied, and once
              ledger.setAside(connection, setAside(claim.seq(), plan, failed));
              faults.afterRowUpdates(claim);
              return rows;
            });
    if (updated == null) {
      // the database holds this claim already, or a racing flusher committed it first
      acknowledge(claim, localClaim);
      return new Applied(false, 0, rowCount);
    }
    localAcked.get(claim.partition()).removeAll(acked);
    afterSetAside(plan, failed);
    stats.flushes.increment();
    stats.rowsFlushed.add(updated);
    faults.afterCommit(claim);
    acknowledge(claim, localClaim);
    return new Applied(true, updated, rowCount);
  }

  private void acknowledge(Claim claim, String localClaim) {
    store.ack(claim.partition(), claim.seq());
    if (localClaim != null) {
      localAcked.get(claim.partition()).add(localClaim);
    }
  }

  /** A row whose UPDATE failed with a data or constraint error, and that error. */
  private record FailedRow(RowUpdate update, String error) {}

  /** A delta that cannot become an UPDATE (counter not mapped, id that does not parse), and why. */
  private record Rejected(CounterKey key, long delta, String error) {}

  /**
   * The rows of a claim (or of a direct apply), and its deltas that cannot be applied: counters
   * this application does not map, ids that no longer parse.
   */
  private record Plan(List<RowUpdate> updates, List<Rejected> rejected) {
    int rowCount() {
      return updates.size() + rejected.size();
    }
  }

  private List<SetAsideDelta> setAside(Long seq, Plan plan, List<FailedRow> failed) {
    List<SetAsideDelta> rows = new ArrayList<>();
    for (FailedRow row : failed) {
      row.update()
          .keys()
          .forEach(
              (key, delta) ->
                  rows.add(
                      new SetAsideDelta(
                          key.partition(store.partitions()), seq, key, delta, row.error())));
    }
    for (Rejected rejected : plan.rejected()) {
      rows.add(
          new SetAsideDelta(
              rejected.key().partition(store.partitions()),
              seq,
              rejected.key(),
              rejected.delta(),
              rejected.error()));
    }
    return rows;
  }

  /** Counts and logs what a committed flush transaction set aside. */
  private void afterSetAside(Plan plan, List<FailedRow> failed) {
    stats.rowsFailed.add(failed.size());
    if (!plan.rejected().isEmpty()) {
      LOG.warnf(
          "Counter deltas that cannot be applied are set aside in %s: %s",
          Ledger.FAILED_TABLE, plan.rejected());
    }
  }

  /** Work in the flush transaction; null means nothing to commit. */
  @FunctionalInterface
  private interface TransactionWork {
    Long run(Connection connection, SharedSessionContractImplementor session) throws SQLException;
  }

  /**
   * Runs {@code work} in a new transaction, the rows' second-level cache entries locked around it;
   * commits unless the work returns null.
   */
  private Long inTransaction(List<RowUpdate> updates, TransactionWork work) {
    try (var session = factory.openSession()) {
      var tx = session.beginTransaction();
      var locks = eviction.lock(session, updates);
      boolean committed = false;
      try {
        Long rows = session.doReturningWork(connection -> work.run(connection, session));
        if (rows != null) {
          tx.commit();
          committed = true;
        } else {
          tx.rollback();
        }
        return rows;
      } catch (RuntimeException | Error e) {
        rollbackAfter(tx, e);
        throw e;
      } finally {
        eviction.release(session, locks, committed);
      }
    }
  }

  /** Work in a short transaction of its own (leases, the ledger's values). */
  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private <T> T inShortTransaction(SqlWork<T> work) {
    try (var session = factory.openSession()) {
      var tx = session.beginTransaction();
      try {
        T result = session.doReturningWork(work::run);
        tx.commit();
        return result;
      } catch (RuntimeException | Error e) {
        rollbackAfter(tx, e);
        throw e;
      }
    }
  }

  /** Rolls back after {@code cause}; a rollback that fails too (lost connection) is added to it. */
  private static void rollbackAfter(Transaction tx, Throwable cause) {
    try {
      if (tx.isActive()) {
        tx.rollback();
      }
    } catch (RuntimeException rollbackError) {
      cause.addSuppressed(rollbackError);
    }
  }

  /**
   * Runs the updates as JDBC batches; rows that fail with a data error are rolled back one by one
   * and added to {@code failed}.
   */
  private long execute(
      Connection connection,
      SharedSessionContractImplementor session,
      List<RowUpdate> updates,
      List<FailedRow> failed)
      throws SQLException {
    Savepoint beforeRows = connection.setSavepoint();
    try {
      return executeBatches(connection, session, updates);
    } catch (BatchUpdateException e) {
      if (isTransient(e) || isTransient(e.getNextException())) {
        throw e; // lost connection, timeout, deadlock: no row is at fault, the claim is retried
      }
      // the database aborts the whole statement batch: redo row by row to find the bad ones
      connection.rollback(beforeRows);
      long rows = 0;
      for (RowUpdate update : updates) {
        Savepoint beforeRow = connection.setSavepoint();
        try (PreparedStatement statement = connection.prepareStatement(update.sql())) {
          bind(statement, session, update);
          rows += statement.executeUpdate();
          connection.releaseSavepoint(beforeRow);
        } catch (SQLException rowError) {
          if (!isRowError(rowError)) {
            throw rowError; // transient (deadlock, lost connection): the whole claim is retried
          }
          connection.rollback(beforeRow);
          LOG.errorf(
              "Counter update of %s id %s failed and its deltas %s are set aside in %s: %s",
              update.root().name(),
              update.idText(),
              update.keys(),
              Ledger.FAILED_TABLE,
              rowError.getMessage());
          failed.add(
              new FailedRow(
                  update, "SQLState " + rowError.getSQLState() + ": " + rowError.getMessage()));
        }
      }
      return rows;
    }
  }

  /**
   * A data error (class 22, e.g. overflow) or constraint violation (23) of this row alone. Nothing
   * else sets a row aside: in particular never a transient error ({@link #isTransient}).
   */
  private static boolean isRowError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /**
   * A failure of the connection or the transaction, not of a row: connection exceptions (class 08),
   * serialization failures and deadlocks (40), operator intervention such as a statement timeout or
   * a terminated backend (57, e.g. 57014, 57P01).
   */
  private static boolean isTransient(SQLException e) {
    String state = e == null ? null : e.getSQLState();
    return state != null
        && (state.startsWith("08") || state.startsWith("40") || state.startsWith("57"));
  }

  private long executeBatches(
      Connection connection, SharedSessionContractImplementor session, List<RowUpdate> updates)
      throws SQLException {
    Map<String, List<RowUpdate>> bySql = new LinkedHashMap<>();
    for (RowUpdate update : updates) {
      bySql.computeIfAbsent(update.sql(), s -> new ArrayList<>()).add(update);
    }
    long rows = 0;
    for (Map.Entry<String, List<RowUpdate>> batch : bySql.entrySet()) {
      try (PreparedStatement statement = connection.prepareStatement(batch.getKey())) {
        for (RowUpdate update : batch.getValue()) {
          bind(statement, session, update);
          statement.addBatch();
        }
        int[] counts = statement.executeBatch();
        for (int i = 0; i < counts.length; i++) {
          if (counts[i] > 0 || counts[i] == Statement.SUCCESS_NO_INFO) {
            rows++;
          } else {
            RowUpdate gone = batch.getValue().get(i);
            LOG.debugf(
                "Row %s id %s no longer exists; its counter delta is dropped",
                gone.root().name(), gone.idText());
          }
        }
      }
    }
    return rows;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void bind(
      PreparedStatement statement, SharedSessionContractImplementor session, RowUpdate update)
      throws SQLException {
    int index = 1;
    for (long delta : update.deltas()) {
      statement.setLong(index++, delta);
    }
    JdbcMapping id = update.root().idJdbcMapping();
    Object value = id.convertToRelationalValue(update.id());
    ValueBinder binder = id.getJdbcValueBinder();
    binder.bind(statement, value, index, session);
  }

  /**
   * Groups deltas per row and table, sorted by SQL then id so lock order is stable; counters the
   * model does not know are kept apart, to be set aside.
   */
  private Plan plan(Map<CounterKey, Long> deltas) {
    Map<String, RowBuilder> builders = new LinkedHashMap<>();
    List<Rejected> rejected = new ArrayList<>();
    for (Map.Entry<CounterKey, Long> entry : deltas.entrySet()) {
      CounterKey key = entry.getKey();
      RootCounters root = model.root(key.entity());
      CounterColumn column = root == null ? null : root.column(key.attribute());
      if (column == null) {
        rejected.add(
            new Rejected(
                key,
                entry.getValue(),
                "not mapped: no @BufferedCounter attribute '"
                    + key.attribute()
                    + "' on entity "
                    + key.entity()));
        continue;
      }
      String rowKey = key.entity() + '\u0000' + column.table() + '\u0000' + key.id();
      builders
          .computeIfAbsent(rowKey, k -> new RowBuilder(root, column, key.id()))
          .add(column, key, entry.getValue());
    }
    List<RowUpdate> updates = new ArrayList<>();
    for (RowBuilder builder : builders.values()) {
      Object id;
      try {
        id = builder.root.parseId(builder.idText);
      } catch (RuntimeException e) {
        // e.g. pushed by a version of the application whose id type differed: a row error
        String error =
            "id '"
                + builder.idText
                + "' of entity "
                + builder.root.name()
                + " does not parse as "
                + builder.root.idClass().getName()
                + ": "
                + e;
        builder.keys.forEach((key, delta) -> rejected.add(new Rejected(key, delta, error)));
        continue;
      }
      updates.add(builder.build(id));
    }
    updates.sort(
        Comparator.comparing(RowUpdate::sql).thenComparing((a, b) -> compareIds(a.id(), b.id())));
    return new Plan(updates, rejected);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareIds(Object a, Object b) {
    if (a instanceof Comparable ca && a.getClass() == b.getClass()) {
      return ca.compareTo(b);
    }
    return String.valueOf(a).compareTo(String.valueOf(b));
  }

  private static final class RowBuilder {
    final RootCounters root;
    final CounterColumn first;
    final String idText;
    final TreeMap<String, Long> byColumn = new TreeMap<>();
    final Map<String, Boolean> nullable = new TreeMap<>();
    final Map<CounterKey, Long> keys = new LinkedHashMap<>();

    RowBuilder(RootCounters root, CounterColumn first, String idText) {
      this.root = root;
      this.first = first;
      this.idText = idText;
    }

    void add(CounterColumn column, CounterKey key, long delta) {
      byColumn.merge(column.column(), delta, Long::sum);
      nullable.put(column.column(), column.nullable());
      keys.put(key, delta);
    }

    RowUpdate build(Object id) {
      List<String> columns = new ArrayList<>(byColumn.keySet());
      List<Boolean> nulls = new ArrayList<>();
      long[] deltas = new long[columns.size()];
      for (int i = 0; i < columns.size(); i++) {
        nulls.add(nullable.get(columns.get(i)));
        deltas[i] = byColumn.get(columns.get(i));
      }
      String sql = RowUpdate.buildSql(first.table(), columns, nulls, first.keyColumns());
      return new RowUpdate(root, sql, id, idText, deltas, Map.copyOf(keys));
    }
  }
}
