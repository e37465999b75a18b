package dev.coalesce.buffer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.coalesce.testing.TestDatabase;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A DataSource on the test database that counts how the UPDATE statements of one table reach JDBC:
 * rows added to a batch, batch executions, and statements executed one by one. It can also inject a
 * fault right after a transaction that updated the table commits ({@link #afterNextCommit}).
 */
final class JdbcUpdateCounter implements DataSource, AutoCloseable {

  final AtomicInteger batchedRows = new AtomicInteger();
  final AtomicInteger batchExecutions = new AtomicInteger();
  final AtomicInteger singleExecutions = new AtomicInteger();

  private final HikariDataSource pool;
  private final Pattern update;
  private final AtomicReference<Runnable> afterNextCommit = new AtomicReference<>();

  JdbcUpdateCounter(TestDatabase db, String table) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.jdbcUrl());
    config.setUsername(db.user());
    config.setPassword(db.password());
    config.setMaximumPoolSize(4);
    this.pool = new HikariDataSource(config);
    // the table may be qualified with hibernate.default_schema
    this.update = Pattern.compile("update (\\S+\\.)?" + Pattern.quote(table) + " .*");
  }

  /** {@code settings} with this DataSource in place of the JDBC URL, user and password. */
  Map<String, Object> install(Map<String, Object> settings) {
    settings.remove("jakarta.persistence.jdbc.url");
    settings.remove("jakarta.persistence.jdbc.user");
    settings.remove("jakarta.persistence.jdbc.password");
    settings.remove("hibernate.hikari.maximumPoolSize");
    settings.put("hibernate.connection.datasource", this);
    return settings;
  }

  /**
   * Runs {@code action} once, right after the next commit of a transaction that prepared an UPDATE
   * of the table (the commit has succeeded when it runs).
   */
  void afterNextCommit(Runnable action) {
    afterNextCommit.set(action);
  }

  void reset() {
    batchedRows.set(0);
    batchExecutions.set(0);
    singleExecutions.set(0);
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection connection = pool.getConnection();
    AtomicBoolean updatedTable = new AtomicBoolean();
    return proxy(
        Connection.class,
        connection,
        (method, args, result) -> {
          if (method.getName().equals("prepareStatement")
              && update.matcher(String.valueOf(args[0]).toLowerCase(Locale.ROOT)).matches()) {
            updatedTable.set(true);
            return counting((PreparedStatement) result);
          }
          if (method.getName().equals("rollback") && (args == null || args.length == 0)) {
            updatedTable.set(false);
          }
          if (method.getName().equals("commit") && updatedTable.getAndSet(false)) {
            Runnable action = afterNextCommit.getAndSet(null);
            if (action != null) {
              action.run();
            }
          }
          return result;
        });
  }

  private PreparedStatement counting(PreparedStatement statement) {
    return proxy(
        PreparedStatement.class,
        statement,
        (method, args, result) -> {
          boolean noArgs = args == null || args.length == 0;
          switch (method.getName()) {
            case "addBatch" -> {
              if (noArgs) {
                batchedRows.incrementAndGet();
              }
            }
            case "executeBatch", "executeLargeBatch" -> batchExecutions.incrementAndGet();
            case "executeUpdate", "executeLargeUpdate", "execute" -> {
              if (noArgs) {
                singleExecutions.incrementAndGet();
              }
            }
            default -> {}
          }
          return result;
        });
  }

  @FunctionalInterface
  private interface AfterCall {
    Object after(Method method, Object[] args, Object result) throws SQLException;
  }

  private static <T> T proxy(Class<T> type, T target, AfterCall after) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          return after.after(method, args, result);
        };
    return type.cast(
        Proxy.newProxyInstance(
            JdbcUpdateCounter.class.getClassLoader(), new Class<?>[] {type}, handler));
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no java.util.logging here");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper of " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
