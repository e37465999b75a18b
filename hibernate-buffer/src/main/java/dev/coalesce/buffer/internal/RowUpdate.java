package dev.coalesce.buffer.internal;

import java.util.List;
import java.util.Map;

/**
 * One {@code UPDATE t SET c1 = c1 + ?, c2 = c2 + ? WHERE id = ?}: all counters of one row in one
 * table. {@code keys} are the store keys it applies, to set aside if it fails.
 */
record RowUpdate(
    RootCounters root,
    String sql,
    Object id,
    String idText,
    long[] deltas,
    Map<CounterKey, Long> keys) {

  static String buildSql(
      String table, List<String> columns, List<Boolean> nullable, List<String> keys) {
    StringBuilder sql = new StringBuilder("update ").append(table).append(" set ");
    for (int i = 0; i < columns.size(); i++) {
      String column = columns.get(i);
      if (i > 0) {
        sql.append(", ");
      }
      sql.append(column).append(" = ");
      // a null wrapper counter counts as 0, as it does when captured
      sql.append(nullable.get(i) ? "coalesce(" + column + ", 0)" : column).append(" + ?");
    }
    sql.append(" where ");
    for (int i = 0; i < keys.size(); i++) {
      if (i > 0) {
        sql.append(" and ");
      }
      sql.append(keys.get(i)).append(" = ?");
    }
    return sql.toString();
  }
}
