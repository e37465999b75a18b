package dev.coalesce.buffer.flush;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.jboss.logging.Logger;

/**
 * The table {@value #TABLE}: per partition, the sequence number of the last flush applied. The
 * flush transaction advances it first, so a claim is applied at most once, and the row lock
 * serialises flushers of one partition inside the database.
 */
final class Ledger {

  private static final Logger LOG = Logger.getLogger(Ledger.class);

  /** Name of the ledger table, in Hibernate's default schema when one is set. */
  static final String TABLE = "coalesce_buffer_ledger";

  private static final String CREATE_SQL =
      "create table if not exists %s (partition_no integer not null primary key,"
          + " last_seq bigint not null)";

  private final String table;

  Ledger(String catalog, String schema) {
    StringBuilder name = new StringBuilder();
    if (catalog != null && !catalog.isBlank()) {
      name.append(catalog).append('.');
    }
    if (schema != null && !schema.isBlank()) {
      name.append(schema).append('.');
    }
    this.table = name.append(TABLE).toString();
  }

  /** Creates the table if missing and a row with 0 for every partition that has none. */
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
              "Cannot create the counter ledger table "
                  + table
                  + " (in "
                  + AvailableSettings.DEFAULT_SCHEMA
                  + " when set): the database user needs to create it, or create it by hand: "
                  + CREATE_SQL.formatted(table),
              e);
        }
        LOG.debugf(e, "Creating %s failed, retrying", table);
      }
    }
  }

  private void createIn(Connection connection, int partitions) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(CREATE_SQL.formatted(table));
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
}
