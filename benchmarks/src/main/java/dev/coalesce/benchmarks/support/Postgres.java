package dev.coalesce.benchmarks.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The PostgreSQL the benchmarks use: {@code -Dcoalesce.jdbc.url}, {@code -Dcoalesce.jdbc.user} and
 * {@code -Dcoalesce.jdbc.password}, by default the local {@code test} database as {@code postgres}.
 */
public final class Postgres {

  public static final String URL =
      System.getProperty("coalesce.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String USER = System.getProperty("coalesce.jdbc.user", "postgres");
  public static final String PASSWORD = System.getProperty("coalesce.jdbc.password", "");

  private Postgres() {}

  /** The connection settings of a SessionFactory on {@code schema}, with statistics on. */
  public static Map<String, Object> settings(String schema, int poolSize) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("jakarta.persistence.jdbc.url", URL);
    settings.put("jakarta.persistence.jdbc.user", USER);
    settings.put("jakarta.persistence.jdbc.password", PASSWORD);
    settings.put("hibernate.default_schema", schema);
    settings.put("hibernate.hikari.maximumPoolSize", Integer.toString(poolSize));
    // SQL per call comes from Hibernate's statistics: on for every configuration alike
    settings.put("hibernate.generate_statistics", "true");
    return settings;
  }

  public static void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + URL + ": " + e.getMessage(), e);
    }
  }

  public static long queryLong(String sql) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + URL + ": " + e.getMessage(), e);
    }
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(URL, USER, PASSWORD);
  }
}
