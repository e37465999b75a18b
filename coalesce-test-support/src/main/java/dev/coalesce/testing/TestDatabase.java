package dev.coalesce.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A database of one test class, on a server {@link RealServices} found: a PostgreSQL schema, a
 * MariaDB database, or an in-memory H2 database ({@link Kind}). Created before the class's first
 * use and dropped, with everything in it, after the class.
 */
public final class TestDatabase implements AutoCloseable {

  /** The databases the test matrix covers. */
  public enum Kind {
    POSTGRESQL,
    MARIADB,
    H2
  }

  private final Kind kind;
  private final ServiceEndpoints.Jdbc server;
  private final String name;
  private final String jdbcUrl;

  private TestDatabase(Kind kind, ServiceEndpoints.Jdbc server, String name, String jdbcUrl) {
    this.kind = kind;
    this.server = server;
    this.name = name;
    this.jdbcUrl = jdbcUrl;
  }

  static TestDatabase create(
      Kind kind, ServiceEndpoints endpoints, Class<?> testClass, String name) {
    switch (kind) {
      case POSTGRESQL -> {
        ServiceEndpoints.Jdbc server = endpoints.postgres(testClass);
        String base = server.jdbcUrl();
        TestDatabase database =
            new TestDatabase(
                kind,
                server,
                name,
                base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name);
        database.executeOnServer("create schema " + name);
        return database;
      }
      case MARIADB -> {
        ServiceEndpoints.Jdbc server = endpoints.mariadb(testClass);
        String base = server.jdbcUrl();
        int query = base.indexOf('?');
        String url =
            query < 0
                ? base + (base.endsWith("/") ? "" : "/") + name
                : base.substring(0, query) + name + base.substring(query);
        TestDatabase database = new TestDatabase(kind, server, name, url);
        database.executeOnServer("create database " + name);
        return database;
      }
      case H2 -> {
        ServiceEndpoints.Jdbc server =
            new ServiceEndpoints.Jdbc("jdbc:h2:mem:", "sa", "", "H2 in this JVM");
        return new TestDatabase(
            kind, server, name, "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;NON_KEYWORDS=VALUE");
      }
      default -> throw new IllegalArgumentException(kind.name());
    }
  }

  public Kind kind() {
    return kind;
  }

  /** JDBC URL whose connections use this class's schema or database. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return server.user();
  }

  public String password() {
    return server.password();
  }

  /** The schema (PostgreSQL) or database (MariaDB, H2) of this test class. */
  public String schema() {
    return name;
  }

  /** Where the database came from: the environment, this machine, or Testcontainers. */
  public String source() {
    return server.source();
  }

  /** A new connection to this class's schema or database; the caller closes it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user(), password());
  }

  /**
   * Settings for a SessionFactory on this database: JDBC URL, user, password, a small HikariCP
   * pool, {@code hibernate.hbm2ddl.auto=create-drop}, and on PostgreSQL {@code
   * hibernate.default_schema}. A new mutable map each call.
   */
  public Map<String, Object> hibernateProperties() {
    Map<String, Object> properties = new HashMap<>();
    properties.put("jakarta.persistence.jdbc.url", jdbcUrl());
    properties.put("jakarta.persistence.jdbc.user", user());
    properties.put("jakarta.persistence.jdbc.password", password());
    properties.put("hibernate.hikari.maximumPoolSize", "10");
    properties.put("hibernate.hbm2ddl.auto", "create-drop");
    if (kind == Kind.POSTGRESQL) {
      properties.put("hibernate.default_schema", name);
    }
    return properties;
  }

  @Override
  public void close() {
    switch (kind) {
      case POSTGRESQL -> executeOnServer("drop schema if exists " + name + " cascade");
      case MARIADB -> executeOnServer("drop database if exists " + name);
      case H2 -> {
        try (Connection connection = connect();
            Statement statement = connection.createStatement()) {
          statement.execute("shutdown");
        } catch (SQLException e) {
          throw new IllegalStateException("Cannot shut down H2 database " + name, e);
        }
      }
    }
  }

  private void executeOnServer(String sql) {
    try (Connection connection =
            DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("'" + sql + "' failed on " + server.source(), e);
    }
  }
}
