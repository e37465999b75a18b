package dev.coalesce.buffer.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * On MySQL and MariaDB, a connection whose {@code sql_mode} is not strict stores an overflowing
 * {@code c = c + ?} as the column's maximum with a warning instead of failing: increments would be
 * lost and reported as applied. A flush transaction therefore runs in strict mode whatever the
 * server's or the application's setting, and gives the connection its mode back before it returns
 * to the pool ({@code sql_mode} is a session variable, outside the transaction).
 */
final class StrictSqlMode {

  private StrictSqlMode() {}

  /**
   * Makes the connection's session strict if it is not.
   *
   * @return the mode to restore, or null when the session was strict already
   */
  static String enforce(Connection connection) throws SQLException {
    String mode;
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("select @@session.sql_mode")) {
      result.next();
      mode = result.getString(1);
    }
    mode = mode == null ? "" : mode;
    if (mode.contains("STRICT_TRANS_TABLES") || mode.contains("STRICT_ALL_TABLES")) {
      return null;
    }
    set(connection, mode.isEmpty() ? "STRICT_TRANS_TABLES" : mode + ",STRICT_TRANS_TABLES");
    return mode;
  }

  /** Gives the session back the mode {@link #enforce} found (nothing when it returned null). */
  static void restore(Connection connection, String laxMode) throws SQLException {
    if (laxMode != null) {
      set(connection, laxMode);
    }
  }

  private static void set(Connection connection, String mode) throws SQLException {
    try (var statement = connection.prepareStatement("set session sql_mode = ?")) {
      statement.setString(1, mode);
      statement.execute();
    }
  }
}
