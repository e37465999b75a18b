package dev.coalesce.buffer;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/** Records every SQL statement Hibernate prepares. */
final class SqlLog implements StatementInspector {

  private final List<String> statements = new CopyOnWriteArrayList<>();

  @Override
  public String inspect(String sql) {
    statements.add(sql.toLowerCase(Locale.ROOT));
    return sql;
  }

  void clear() {
    statements.clear();
  }

  List<String> updates() {
    return statements.stream().filter(sql -> sql.startsWith("update")).toList();
  }
}
