package dev.coalesce.buffer.flush;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.jboss.logging.Logger;

/**
 * The flusher's tables. {@value #TABLE}: per partition, the sequence number of the last flush
 * applied. The flush transaction advances it first, so a claim is applied at most once, and the row
 * lock serialises flushers of one partition inside the database. {@value #FAILED_TABLE}: deltas
 * that could not be applied (their UPDATE failed, or their counter is not mapped), written in the
 * same transaction as the ledger row, so setting them aside is exactly once too.
 */
final class Ledger {

  private static final Logger LOG = Logger.getLogger(Ledger.class);

  /** Name of the ledger table, in Hibernate's default schema when one is set. */
  static final String TABLE = "coalesce_buffer_ledger";

  /** Name of the table of deltas set aside, next to the ledger. */
  static final String FAILED_TABLE = "coalesce_buffer_failed";

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
          + ") not null, failed_at timestamp not null)";

  private final String table;
  private final String failedTable;

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
  }

  /** Creates both tables if missing, and a ledger row with 0 for every partition that has none. */
  void create(SessionFactoryImplementor factory, int partitions) {
    for (int attempt = 1; ; attempt++) {
      try (var session = factory.openSession()) {
        var tx = session.beginTransaction();
        session.doWork(connection -> createIn(connection, partitions));
        tx.commit();
        return;
      } catch (RuntimeException e) {
        // another node may have created the same table or rows at the same moment
        if (attempt >= 3) {
          throw new IllegalStateException(
              "Cannot create the counter ledger tables "
                  + table
                  + " and "
                  + failedTable
                  + " (in "
                  + AvailableSettings.DEFAULT_SCHEMA
                  + " when set): the database user needs to create them, or create them by hand: "
                  + CREATE_SQL.formatted(table)
                  + "; "
                  + CREATE_FAILED_SQL.formatted(failedTable),
              e);
        }
        LOG.debugf(e, "Creating %s failed, retrying", table);
      }
    }
  }

  private void createIn(Connection connection, int partitions) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(CREATE_SQL.formatted(table));
      statement.execute(CREATE_FAILED_SQL.formatted(failedTable));
    }
    Set<Integer> existing = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select partition_no from " + table)) {
      while (rows.next()) {
        existing.add(rows.getInt(1));
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into " + table + " (partition_no, last_seq) values (?, 0)")) {
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
}
