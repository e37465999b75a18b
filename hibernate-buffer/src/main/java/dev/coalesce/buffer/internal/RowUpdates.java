package dev.coalesce.buffer.internal;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.type.descriptor.ValueBinder;
import org.jboss.logging.Logger;

/**
 * Runs a plan's row updates in the caller's transaction: one JDBC batch per SQL shape; when the
 * database refuses the batch because of a row (class 22 data error, class 23 constraint), redoes it
 * row by row under savepoints to find the rows at fault. A transient failure (the connection, a
 * timeout, a deadlock) is never blamed on a row: it fails the whole claim, which stays in flight.
 */
final class RowUpdates {

  private static final Logger LOG = Logger.getLogger(RowUpdates.class);

  /** A row whose UPDATE failed with a data or constraint error, and that error. */
  record FailedRow(RowUpdate update, String error) {}

  private RowUpdates() {}

  /**
   * Runs {@code updates}; rows that fail with a data error are rolled back one by one and added to
   * {@code failed}.
   *
   * @param factoryName the SessionFactory's name, which the ERROR line of a failed row names
   * @return rows updated (a row that no longer exists is not counted: its delta is dropped)
   */
  static long execute(
      String factoryName,
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
              "SessionFactory '%s': counter update of %s id %s failed (%s) and its deltas %s are"
                  + " set aside in %s. Fix the cause (e.g. widen the column), then apply or"
                  + " delete the set-aside rows with SQL as hibernate-buffer/README.md explains",
              factoryName,
              update.root().name(),
              update.idText(),
              rowError.getMessage(),
              update.keys(),
              Ledger.FAILED_TABLE);
          failed.add(new FailedRow(update, describe(rowError)));
        }
      }
      return rows;
    }
  }

  /**
   * What {@value Ledger#FAILED_TABLE} records of a row's error: a normalized SQLState and a short
   * reason, the same on every database, then the driver's own text. MySQL's driver reports an
   * overflow as 22001 (truncation) where PostgreSQL and MariaDB say 22003.
   */
  static String describe(SQLException error) {
    String state = error.getSQLState();
    String text = error.getMessage() == null ? "" : error.getMessage();
    if ("22001".equals(state) && text.toLowerCase(java.util.Locale.ROOT).contains("out of range")) {
      state = "22003";
    }
    String reason;
    if ("22003".equals(state)) {
      reason = "numeric value out of range";
    } else if ("22001".equals(state)) {
      reason = "string data right truncation";
    } else if (state != null && state.startsWith("23")) {
      reason = "integrity constraint violation";
    } else {
      reason = "data exception";
    }
    return state + " " + reason + ": " + text;
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

  private static long executeBatches(
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
}
