package dev.coalesce.buffer.flush;

import dev.coalesce.buffer.model.CounterColumn;
import dev.coalesce.buffer.model.CounterModel;
import dev.coalesce.buffer.model.RootCounters;
import dev.coalesce.buffer.store.Claim;
import dev.coalesce.buffer.store.CounterKey;
import dev.coalesce.buffer.store.DeltaStore;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
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
 * deltas it cannot apply (a row whose UPDATE fails with a data error, a counter not mapped) in
 * {@value Ledger#FAILED_TABLE}. A claim whose sequence number the ledger already holds is
 * acknowledged without applying it again.
 */
public final class Flusher {

  private static final Logger LOG = Logger.getLogger(Flusher.class);

  private final SessionFactoryImplementor factory;
  private final CounterModel model;
  private final DeltaStore store;
  private final Ledger ledger;
  private final int maxRows;
  private final StatsRecorder stats;
  private final CacheEviction eviction;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * A flusher for {@code model}'s counters. Creates the ledger table and the table of deltas set
   * aside (in Hibernate's default catalog and schema) and the ledger's partition rows if missing.
   */
  public static Flusher start(
      SessionFactoryImplementor factory,
      CounterModel model,
      DeltaStore store,
      int maxRows,
      StatsRecorder stats) {
    Map<String, Object> settings = factory.getProperties();
    Ledger ledger =
        new Ledger(
            (String) settings.get(AvailableSettings.DEFAULT_CATALOG),
            (String) settings.get(AvailableSettings.DEFAULT_SCHEMA));
    ledger.create(factory, store.partitions());
    return new Flusher(factory, model, store, ledger, maxRows, stats);
  }

  private Flusher(
      SessionFactoryImplementor factory,
      CounterModel model,
      DeltaStore store,
      Ledger ledger,
      int maxRows,
      StatsRecorder stats) {
    this.factory = factory;
    this.model = model;
    this.store = store;
    this.ledger = ledger;
    this.maxRows = maxRows;
    this.stats = stats;
    this.eviction = new CacheEviction(factory);
  }

  /**
   * Flushes every partition until what was pending when it started is in the database.
   *
   * @return rows updated
   */
  public long flushAll() {
    lock.lock();
    try {
      long[] floors = readLedger();
      // the first claim of every partition in one round trip: an idle store costs one per flush
      List<Optional<Claim>> firstClaims = store.claimAll(maxRows, floors);
      long rows = 0;
      for (int partition = 0; partition < store.partitions(); partition++) {
        Optional<Claim> claim = firstClaims.get(partition);
        // bounded: each pass either empties the partition or moves maxRows rows
        for (int pass = 0; pass < 1_000 && claim.isPresent(); pass++) {
          Applied applied = apply(claim.get(), floors[partition]);
          floors[partition] = Math.max(floors[partition], claim.get().seq());
          rows += applied.rows;
          if (applied.applied && applied.rowCount < maxRows) {
            break; // live held fewer rows than one claim takes: the partition is drained
          }
          claim = store.claim(partition, maxRows, floors[partition]);
        }
      }
      return rows;
    } finally {
      lock.unlock();
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

  /** What one claim did; {@code applied} false when the ledger already held it. */
  private record Applied(boolean applied, long rows, int rowCount) {}

  private Applied apply(Claim claim, long floor) {
    Plan plan = plan(claim.deltas());
    int rowCount = plan.updates().size();
    if (claim.seq() <= floor) {
      // recovered claim the database already holds: only the ack was missing
      store.ack(claim.partition(), claim.seq());
      return new Applied(false, 0, rowCount);
    }
    List<FailedRow> failed = new ArrayList<>();
    Long updated =
        inTransaction(
            plan.updates(),
            (connection, session) -> {
              if (!ledger.advance(connection, claim.partition(), claim.seq())) {
                return null;
              }
              long rows = execute(connection, session, plan.updates(), failed);
              // with the ledger row: set aside exactly when the claim is applied, and once
              ledger.setAside(connection, setAside(claim.seq(), plan, failed));
              return rows;
            });
    if (updated == null) {
      // the ledger holds this claim already, or a racing flusher committed it first
      store.ack(claim.partition(), claim.seq());
      return new Applied(false, 0, rowCount);
    }
    afterSetAside(plan, failed);
    stats.flushes.increment();
    stats.rowsFlushed.add(updated);
    store.ack(claim.partition(), claim.seq());
    return new Applied(true, updated, rowCount);
  }

  /** A row whose UPDATE failed with a data or constraint error, and that error. */
  private record FailedRow(RowUpdate update, String error) {}

  /** The rows of a claim (or of a direct apply), and its counters this application does not map. */
  private record Plan(List<RowUpdate> updates, Map<CounterKey, Long> unmapped) {}

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
    plan.unmapped()
        .forEach(
            (key, delta) ->
                rows.add(
                    new SetAsideDelta(
                        key.partition(store.partitions()),
                        seq,
                        key,
                        delta,
                        "not mapped: no @BufferedCounter attribute '"
                            + key.attribute()
                            + "' on entity "
                            + key.entity())));
    return rows;
  }

  /** Counts and logs what a committed flush transaction set aside. */
  private void afterSetAside(Plan plan, List<FailedRow> failed) {
    stats.rowsFailed.add(failed.size());
    if (!plan.unmapped().isEmpty()) {
      LOG.warnf(
          "Counters not mapped by this application (no @BufferedCounter attribute of that name);"
              + " their deltas are set aside in %s: %s",
          Ledger.FAILED_TABLE, plan.unmapped());
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
        }
        return rows;
      } finally {
        if (!committed && tx.isActive()) {
          tx.rollback();
        }
        eviction.release(session, locks, committed);
      }
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

  /** A data error (class 22, e.g. overflow) or constraint violation (23) of this row alone. */
  private static boolean isRowError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
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
    Map<CounterKey, Long> unmapped = new LinkedHashMap<>();
    for (Map.Entry<CounterKey, Long> entry : deltas.entrySet()) {
      CounterKey key = entry.getKey();
      RootCounters root = model.root(key.entity());
      CounterColumn column = root == null ? null : root.column(key.attribute());
      if (column == null) {
        unmapped.put(key, entry.getValue());
        continue;
      }
      String rowKey = key.entity() + '\u0000' + column.table() + '\u0000' + key.id();
      builders
          .computeIfAbsent(rowKey, k -> new RowBuilder(root, column, key.id()))
          .add(column, key, entry.getValue());
    }
    List<RowUpdate> updates = new ArrayList<>();
    for (RowBuilder builder : builders.values()) {
      updates.add(builder.build());
    }
    updates.sort(
        Comparator.comparing(RowUpdate::sql).thenComparing((a, b) -> compareIds(a.id(), b.id())));
    return new Plan(updates, unmapped);
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

    RowUpdate build() {
      List<String> columns = new ArrayList<>(byColumn.keySet());
      List<Boolean> nulls = new ArrayList<>();
      long[] deltas = new long[columns.size()];
      for (int i = 0; i < columns.size(); i++) {
        nulls.add(nullable.get(columns.get(i)));
        deltas[i] = byColumn.get(columns.get(i));
      }
      String sql = RowUpdate.buildSql(first.table(), columns, nulls, first.keyColumns());
      return new RowUpdate(root, sql, root.parseId(idText), idText, deltas, Map.copyOf(keys));
    }
  }
}
