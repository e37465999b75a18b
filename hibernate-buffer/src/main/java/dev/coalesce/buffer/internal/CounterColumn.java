package dev.coalesce.buffer.internal;

import java.util.List;

/**
 * Where one counter lives: its table, its column, the key columns of that table (for joined
 * inheritance the subclass table's own key), and whether the column may be null.
 */
record CounterColumn(
    String attribute, String table, String column, List<String> keyColumns, boolean nullable) {}
