package dev.coalesce.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A PostgreSQL schema of one test class, on the database {@link RealServices} found. Created before
 * the class's first use and dropped, with everything in it, after the class.
 */
public final class TestDatabase implements AutoCloseable {

  private final ServiceEndpoints.Postgres endpoint;
  private final String schema;

  private TestDatabase(ServiceEndpoints.Postgres endpoint, String schema) {
    this.endpoint = endpoint;
    this.schema = schema;
  }

  static TestDatabase create(ServiceEndpoints.Postgres endpoint, String schema) {
    TestDatabase database = new TestDatabase(endpoint, schema);
    database.execute(endpoint.jdbcUrl(), "create schema " + schema);
    return database;
  }

  /** JDBC URL whose connections use this class's schema ({@code currentSchema}). */
  public String jdbcUrl() {
    String base = endpoint.jdbcUrl();
    return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  public String user() {
    return endpoint.user();
  }

  public String password() {
    return endpoint.password();
  }

  /** The schema of this test class. */
  public String schema() {
    return schema;
  }

  /** Where the database came from: the environment, this machine, or Testcontainers. */
  public String source() {
    return endpoint.source();
  }

  /** A new connection to this class's schema; the caller closes it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user(), password());
  }

  /**
   * Settings for a SessionFactory on this schema: JDBC URL, user, password, a small HikariCP pool,
   * {@code hibernate.hbm2ddl.auto=create-drop} and {@code hibernate.default_schema}. A new mutable
   * map each call.
   */
  public Map<String, Object> hibernateProperties() {
    Map<String, Object> properties = new HashMap<>();
    properties.put("jakarta.persistence.jdbc.url", jdbcUrl());
    properties.put("jakarta.persistence.jdbc.user", user());
    properties.put("jakarta.persistence.jdbc.password", password());
    properties.put("hibernate.hikari.maximumPoolSize", "10");
    properties.put("hibernate.hbm2ddl.auto", "create-drop");
    properties.put("hibernate.default_schema", schema);
    return properties;
  }

  @Override
  public void close() {
    execute(endpoint.jdbcUrl(), "drop schema if exists " + schema + " cascade");
  }

  private void execute(String url, String sql) {
    try (Connection connection = DriverManager.getConnection(url, user(), password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("'" + sql + "' failed on " + endpoint.source(), e);
    }
  }
}
