package dev.coalesce.spring.boot.actuate;

import dev.coalesce.buffer.CounterBuffer;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.AvailableSettings;

/**
 * Reads the table {@value CounterBuffer#SET_ASIDE_TABLE} (deltas a flush set aside) through the
 * application's EntityManagerFactory, one SQL query per call (and, until the table is seen, a
 * look-up of it in the JDBC metadata: the flusher creates it only for a factory with counters).
 */
final class SetAsideRows {

  /** How many rows a count reports as new, and the newest row seen. */
  record Count(long total, long newer, Timestamp newest) {}

  private final SessionFactory factory;
  private final String catalog;
  private final String schema;
  private final String table;
  private volatile boolean tableSeen;

  SetAsideRows(EntityManagerFactory entityManagerFactory) {
    this.factory = entityManagerFactory.unwrap(SessionFactory.class);
    // the table lives where the flusher creates it: in Hibernate's default catalog and schema
    Map<String, Object> properties = factory.getProperties();
    this.catalog = qualifier(properties.get(AvailableSettings.DEFAULT_CATALOG));
    this.schema = qualifier(properties.get(AvailableSettings.DEFAULT_SCHEMA));
    StringBuilder name = new StringBuilder();
    if (catalog != null) {
      name.append(catalog).append('.');
    }
    if (schema != null) {
      name.append(schema).append('.');
    }
    this.table = name.append(CounterBuffer.SET_ASIDE_TABLE).toString();
  }

  private static String qualifier(Object value) {
    return value == null || value.toString().isBlank() ? null : value.toString();
  }

  /**
   * Whether the table exists: the flusher creates it only when the factory has buffered counters.
   * Once seen, it is not looked up again.
   */
  private boolean exists(Connection connection) throws SQLException {
    if (tableSeen) {
      return true;
    }
    DatabaseMetaData metaData = connection.getMetaData();
    boolean upper = metaData.storesUpperCaseIdentifiers();
    boolean lower = metaData.storesLowerCaseIdentifiers();
    try (ResultSet tables =
        metaData.getTables(
            fold(catalog, upper, lower),
            fold(schema, upper, lower),
            fold(CounterBuffer.SET_ASIDE_TABLE, upper, lower),
            null)) {
      tableSeen = tables.next();
    }
    return tableSeen;
  }

  private static String fold(String name, boolean upper, boolean lower) {
    if (name == null) {
      return null;
    }
    return upper ? name.toUpperCase(Locale.ROOT) : lower ? name.toLowerCase(Locale.ROOT) : name;
  }

  /** The table's name as queried (qualified). */
  String table() {
    return table;
  }

  /** All rows, those set aside after {@code after} (every row when null), and the newest time. */
  Count count(Timestamp after) {
    return factory.fromStatelessTransaction(
        session ->
            session.doReturningWork(
                connection -> {
                  if (!exists(connection)) {
                    return new Count(0, 0, null);
                  }
                  try (PreparedStatement select =
                      connection.prepareStatement(
                          "select count(*), count(case when failed_at > ? then 1 end),"
                              + " max(failed_at) from "
                              + table)) {
                    select.setTimestamp(1, after == null ? new Timestamp(0) : after);
                    try (ResultSet result = select.executeQuery()) {
                      result.next();
                      return new Count(
                          result.getLong(1), result.getLong(2), result.getTimestamp(3));
                    }
                  }
                }));
  }

  /** The newest {@code limit} rows, newest first, each as column name to value. */
  List<Map<String, Object>> newest(int limit) {
    return factory.fromStatelessTransaction(
        session ->
            session.doReturningWork(
                connection -> {
                  if (!exists(connection)) {
                    return List.of();
                  }
                  try (PreparedStatement select =
                      connection.prepareStatement(
                          "select entity, attribute, id, delta, error, failed_at, partition_no,"
                              + " seq from "
                              + table
                              + " order by failed_at desc")) {
                    select.setMaxRows(limit);
                    List<Map<String, Object>> rows = new ArrayList<>();
                    try (ResultSet result = select.executeQuery()) {
                      while (result.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("entity", result.getString(1));
                        row.put("attribute", result.getString(2));
                        row.put("id", result.getString(3));
                        row.put("delta", result.getLong(4));
                        row.put("error", result.getString(5));
                        Timestamp failedAt = result.getTimestamp(6);
                        row.put("failedAt", failedAt == null ? null : failedAt.toString());
                        row.put("partition", result.getInt(7));
                        long seq = result.getLong(8);
                        row.put("seq", result.wasNull() ? null : seq);
                        rows.add(row);
                      }
                    }
                    return rows;
                  }
                }));
  }
}
