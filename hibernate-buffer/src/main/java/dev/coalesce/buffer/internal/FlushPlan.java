package dev.coalesce.buffer.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a claim (or a direct apply) becomes in the database: one {@link RowUpdate} per row and
 * table, sorted by SQL then id so that two flushers lock rows in the same order, and the deltas
 * that cannot become an UPDATE (a counter this application does not map, an id that no longer
 * parses), to be set aside.
 */
final class FlushPlan {

  /** A delta that cannot become an UPDATE, and why. */
  record Rejected(CounterKey key, long delta, String error) {}

  private final List<RowUpdate> updates;
  private final List<Rejected> rejected;

  private FlushPlan(List<RowUpdate> updates, List<Rejected> rejected) {
    this.updates = updates;
    this.rejected = rejected;
  }

  List<RowUpdate> updates() {
    return updates;
  }

  List<Rejected> rejected() {
    return rejected;
  }

  /** Rows this plan touches or sets aside: what a claim of at most max rows took. */
  int rowCount() {
    return updates.size() + rejected.size();
  }

  /**
   * The deltas to record in {@value Ledger#FAILED_TABLE}: those of the rows whose UPDATE failed,
   * and the rejected ones.
   *
   * @param seq the claim's sequence number; null for a direct apply
   */
  List<SetAsideDelta> setAside(Long seq, List<RowUpdates.FailedRow> failed, int partitions) {
    List<SetAsideDelta> rows = new ArrayList<>();
    for (RowUpdates.FailedRow row : failed) {
      row.update()
          .keys()
          .forEach(
              (key, delta) ->
                  rows.add(
                      new SetAsideDelta(key.partition(partitions), seq, key, delta, row.error())));
    }
    for (Rejected one : rejected) {
      rows.add(
          new SetAsideDelta(
              one.key().partition(partitions), seq, one.key(), one.delta(), one.error()));
    }
    return rows;
  }

  /** Groups {@code deltas} per row and table; what the model cannot place is rejected. */
  static FlushPlan of(CounterModel model, Map<CounterKey, Long> deltas) {
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
    sort(updates);
    return new FlushPlan(updates, rejected);
  }

  /** Sorts row updates by SQL, then id: the one lock order of every flusher. */
  static void sort(List<RowUpdate> updates) {
    updates.sort(
        Comparator.comparing(RowUpdate::sql).thenComparing((a, b) -> compareIds(a.id(), b.id())));
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
