package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.CounterBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.jboss.logging.Logger;

/**
 * The flusher's tables, all created at start-up if missing, in standard SQL only (no {@code
 * RETURNING}, no advisory locks), so they stay portable beyond PostgreSQL.
 *
 * <ul>
 *   <li>{@value #TABLE}: per partition, the sequence number of the last claim of the shared ({@code
 *       redis}) store applied. The flush transaction advances it first, so a claim is applied at
 *       most once, and the row lock serialises flushers of one partition inside the database.
 *   <li>{@value #FAILED_TABLE}: deltas that could not be applied (their UPDATE failed, their
 *       counter is not mapped, their id no longer parses), written in the same transaction as the
 *       claim's rows, so setting them aside is exactly once too.
 *   <li>{@value #LEASE_TABLE}: per partition, which node flushes it and until when ({@link
 *       Leases}); an optimisation only, correctness never depends on it.
 *   <li>{@value #LOCAL_APPLIED_TABLE}: claims of the {@code local} store that committed and may not
 *       be acknowledged yet. A local claim lives in one JVM only, so several nodes on the local
 *       store cannot share the ledger's sequence numbers: two of them may number their claims
 *       alike, and the second would find the ledger advanced and wrongly drop its own deltas. A
 *       local claim is therefore identified by its node and sequence number, recorded here in its
 *       flush transaction: a retry after an ambiguous commit (the connection lost during the
 *       commit) finds the row and only acknowledges. The row is deleted in the node's next flush
 *       transaction of that partition, after the ack; rows of a node that died are deleted at the
 *       next start-up once older than {@link #LOCAL_APPLIED_RETENTION}.
 * </ul>
 *
 * <p>Over our usual 250 lines: the four tables above and every statement on them, in one place so
 * that the exactly-once protocol's SQL can be read together; most of the length is this comment and
 * the statements written out.
 */
final class Ledger {

  private static final Logger LOG = Logger.getLogger(Ledger.class);

  /** Name of the ledger table, in Hibernate's default schema when one is set. */
  static final String TABLE = "coalesce_buffer_ledger";

  /** Name of the table of deltas set aside, next to the ledger. */
  static final String FAILED_TABLE = CounterBuffer.SET_ASIDE_TABLE;

  /** Name of the table of partition leases, next to the ledger. */
  static final String LEASE_TABLE = "coalesce_buffer_lease";

  /** Name of the table of committed, maybe unacknowledged, claims of the local store. */
  static final String LOCAL_APPLIED_TABLE = "coalesce_buffer_local_applied";

  /**
   * How long a row of {@value #LOCAL_APPLIED_TABLE} is kept: far longer than a retry of its claim
   * can take, since the claim dies with its JVM.
   */
  static final Duration LOCAL_APPLIED_RETENTION = Duration.ofDays(1);

  /** Longest error text kept in {@value #FAILED_TABLE}; longer messages are cut. */
  static final int ERROR_LENGTH = 1000;

  private static final String CREATE_SQL =
      "create table if not exists %s (partition_no integer not null primary key,"
          + " last_seq bigint not null)";

  // seq is null for deltas applied straight to the database (no claim, no sequence number)
  private static final String CREATE_FAILED_SQL =
      "create table if not exists %s (partition_no integer not null, seq bigint,"
          + " entity varchar(255) not null, attribute varchar(255) not null,"
          + " id varchar(1000) not null, delta bigint not null,"
          + " error varchar("
          + ERROR_LENGTH
          + ") not null, failed_at timestamp null)";

  private static final String CREATE_LEASE_SQL =
      "create table if not exists %s (partition_no integer not null primary key,"
          + " lease_owner varchar(64), lease_until bigint not null)";

  private static final String CREATE_LOCAL_APPLIED_SQL =
      "create table if not exists %s (claim_id varchar(100) not null primary key,"
          + " applied_at bigint not null)";

  private final String table;
  private final String failedTable;
  private final String leaseTable;
  private final String localAppliedTable;

  Ledger(String catalog, String schema) {
    StringBuilder prefix = new StringBuilder();
    if (catalog != null && !catalog.isBlank()) {
      prefix.append(catalog).append('.');
    }
    if (schema != null && !schema.isBlank()) {
      prefix.append(schema).append('.');
    }
    this.table = prefix + TABLE;
    this.failedTable = prefix + FAILED_TABLE;
    this.leaseTable = prefix + LEASE_TABLE;
    this.localAppliedTable = prefix + LOCAL_APPLIED_TABLE;
  }

  /** The lease table's qualified name. */
  String leaseTable() {
    return leaseTable;
  }

  /**
   * Creates the tables if missing, a ledger and a lease row for every partition that has none, and
   * deletes rows of {@value #LOCAL_APPLIED_TABLE} older than {@link #LOCAL_APPLIED_RETENTION}.
   */
  void create(SessionFactoryImplementor factory, int partitions, long nowMillis) {
    for (int attempt = 1; ; attempt++) {
      try (var session = factory.openSession()) {
        var tx = session.beginTransaction();
        session.doWork(connection -> createIn(connection, partitions, nowMillis));
        tx.commit();
        return;
      } catch (RuntimeException e) {
        // another node may have created the same table or rows at the same moment
        if (attempt >= 3) {
          throw new IllegalStateException(
              "Cannot create the counter ledger tables "
                  + String.join(", ", table, failedTable, leaseTable, localAppliedTable)
                  + " (in "
                  + AvailableSettings.DEFAULT_SCHEMA
                  + " when set): the database user needs to create them, or create them by hand: "
                  + String.join("; ", createStatements()),
              e);
        }
        LOG.debugf(e, "Creating %s failed, retrying", table);
      }
    }
  }

  private List<String> createStatements() {
    return List.of(
        CREATE_SQL.formatted(table),
        CREATE_FAILED_SQL.formatted(failedTable),
        CREATE_LEASE_SQL.formatted(leaseTable),
        CREATE_LOCAL_APPLIED_SQL.formatted(localAppliedTable));
  }

  private void createIn(Connection connection, int partitions, long nowMillis) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      for (String create : createStatements()) {
        statement.execute(create);
      }
    }
    insertMissingPartitions(connection, table, "last_seq", partitions);
    insertMissingPartitions(connection, leaseTable, "lease_until", partitions);
    try (PreparedStatement prune =
        connection.prepareStatement("delete from " + localAppliedTable + " where applied_at < ?")) {
      prune.setLong(1, nowMillis - LOCAL_APPLIED_RETENTION.toMillis());
      prune.executeUpdate();
    }
  }

  /** Inserts a row with {@code column} 0 for every partition {@code into} has no row for. */
  private static void insertMissingPartitions(
      Connection connection, String into, String column, int partitions) throws SQLException {
    Set<Integer> existing = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select partition_no from " + into)) {
      while (rows.next()) {
        existing.add(rows.getInt(1));
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into " + into + " (partition_no, " + column + ") values (?, 0)")) {
      boolean any = false;
      for (int p = 0; p < partitions; p++) {
        if (!existing.contains(p)) {
          insert.setInt(1, p);
          insert.addBatch();
          any = true;
        }
      }
      if (any) {
        insert.executeBatch();
      }
    }
  }

  /** The last applied sequence number of every partition, indexed by partition. */
  long[] lastSeqs(Connection connection, int partitions) throws SQLException {
    long[] seqs = new long[partitions];
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select partition_no, last_seq from " + table)) {
      while (rows.next()) {
        int partition = rows.getInt(1);
        if (partition >= 0 && partition < partitions) {
          seqs[partition] = rows.getLong(2);
        }
      }
    }
    return seqs;
  }

  /**
   * Advances {@code partition} to {@code seq}. False means this claim, or a later one, is already
   * applied (or another flusher applies it right now and has committed first).
   */
  boolean advance(Connection connection, int partition, long seq) throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "update " + table + " set last_seq = ? where partition_no = ? and last_seq < ?")) {
      update.setLong(1, seq);
      update.setInt(2, partition);
      update.setLong(3, seq);
      return update.executeUpdate() == 1;
    }
  }

  /**
   * Records {@code deltas} in {@value #FAILED_TABLE} in the caller's transaction: the flush
   * transaction that advances the ledger row of their claim, so they are recorded exactly when the
   * claim is applied, and once.
   */
  void setAside(Connection connection, List<SetAsideDelta> deltas) throws SQLException {
    if (deltas.isEmpty()) {
      return;
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into "
                + failedTable
                + " (partition_no, seq, entity, attribute, id, delta, error, failed_at)"
                + " values (?, ?, ?, ?, ?, ?, ?, current_timestamp)")) {
      for (SetAsideDelta delta : deltas) {
        insert.setInt(1, delta.partition());
        if (delta.seq() == null) {
          insert.setNull(2, Types.BIGINT);
        } else {
          insert.setLong(2, delta.seq());
        }
        insert.setString(3, delta.key().entity());
        insert.setString(4, delta.key().attribute());
        insert.setString(5, delta.key().id());
        insert.setLong(6, delta.delta());
        String error = delta.error();
        insert.setString(
            7, error.length() > ERROR_LENGTH ? error.substring(0, ERROR_LENGTH) : error);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** Whether the local claim {@code claimId} committed already (its flush transaction's row). */
  boolean localApplied(Connection connection, String claimId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "select count(*) from " + localAppliedTable + " where claim_id = ?")) {
      select.setString(1, claimId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() && rows.getLong(1) > 0;
      }
    }
  }

  /** Records, in the caller's flush transaction, that the local claim {@code claimId} applies. */
  void markLocalApplied(Connection connection, String claimId, long nowMillis) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into " + localAppliedTable + " (claim_id, applied_at) values (?, ?)")) {
      insert.setString(1, claimId);
      insert.setLong(2, nowMillis);
      insert.executeUpdate();
    }
  }

  /** Deletes the rows of local claims acknowledged since: no retry of theirs can come any more. */
  void forgetLocalApplied(Connection connection, List<String> claimIds) throws SQLException {
    if (claimIds.isEmpty()) {
      return;
    }
    try (PreparedStatement delete =
        connection.prepareStatement("delete from " + localAppliedTable + " where claim_id = ?")) {
      for (String claimId : claimIds) {
        delete.setString(1, claimId);
        delete.addBatch();
      }
      delete.executeBatch();
    }
  }
}
