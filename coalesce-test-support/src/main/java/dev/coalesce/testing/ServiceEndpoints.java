package dev.coalesce.testing;

import java.net.URI;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Finds the PostgreSQL and Redis a test run uses, once per JVM: the environment, then this
 * machine's services, then Testcontainers; otherwise a {@link ServiceUnavailableException} that
 * names all three ways.
 *
 * <p>Over our usual 250 lines: three ways to find each of two services, and the one message that
 * names them all when none works.
 */
final class ServiceEndpoints {

  static final String JDBC_URL_ENV = "COALESCE_TEST_JDBC_URL";
  static final String JDBC_USER_ENV = "COALESCE_TEST_JDBC_USER";
  static final String JDBC_PASSWORD_ENV = "COALESCE_TEST_JDBC_PASSWORD";
  static final String REDIS_URL_ENV = "COALESCE_TEST_REDIS_URL";
  static final String MARIADB_URL_ENV = "COALESCE_TEST_MARIADB_URL";
  static final String MARIADB_USER_ENV = "COALESCE_TEST_MARIADB_USER";
  static final String MARIADB_PASSWORD_ENV = "COALESCE_TEST_MARIADB_PASSWORD";
  static final String LOCAL_MARIADB_URL = "jdbc:mariadb://127.0.0.1:3306/";

  static final String LOCAL_JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  static final String LOCAL_REDIS_HOST = "127.0.0.1";
  static final int LOCAL_REDIS_PORT = 6379;

  /** A database server reached through JDBC, and where it was found. */
  record Jdbc(String jdbcUrl, String user, String password, String source) {}

  record Redis(String host, int port, String source) {
    String address() {
      return "redis://" + host + ":" + port;
    }
  }

  /** The endpoints of this JVM's test run, found once. */
  static final ServiceEndpoints DEFAULT =
      new ServiceEndpoints(
          System.getenv(),
          LOCAL_JDBC_URL,
          LOCAL_REDIS_HOST,
          LOCAL_REDIS_PORT,
          ServiceEndpoints::dockerProblem);

  private final Map<String, String> environment;
  private final String localJdbcUrl;
  private final String localRedisHost;
  private final int localRedisPort;
  private final Supplier<String> dockerProblem;
  private Jdbc postgres;
  private Jdbc mariadb;
  private Redis redis;
  private GenericContainer<?> redisContainer;
  private PostgreSQLContainer postgresContainer;

  ServiceEndpoints(
      Map<String, String> environment,
      String localJdbcUrl,
      String localRedisHost,
      int localRedisPort,
      Supplier<String> dockerProblem) {
    this.environment = environment;
    this.localJdbcUrl = localJdbcUrl;
    this.localRedisHost = localRedisHost;
    this.localRedisPort = localRedisPort;
    this.dockerProblem = dockerProblem;
  }

  synchronized Jdbc postgres(Class<?> testClass) {
    if (postgres != null) {
      return postgres;
    }
    List<String> tried = new ArrayList<>();
    String envUrl = environment.get(JDBC_URL_ENV);
    if (envUrl != null && !envUrl.isBlank()) {
      Jdbc candidate =
          new Jdbc(
              envUrl, envOr(JDBC_USER_ENV, "postgres"), envOr(JDBC_PASSWORD_ENV, ""), JDBC_URL_ENV);
      String problem = tryConnect(candidate);
      if (problem == null) {
        return postgres = candidate;
      }
      // An explicit choice that fails is reported, never silently replaced by another database.
      throw new ServiceUnavailableException(
          "PostgreSQL from " + JDBC_URL_ENV + "=" + envUrl + " does not answer: " + problem);
    }
    tried.add(JDBC_URL_ENV + " is not set");
    Jdbc local = new Jdbc(localJdbcUrl, "postgres", "", "this machine (" + localJdbcUrl + ")");
    String problem = tryConnect(local);
    if (problem == null) {
      return postgres = local;
    }
    tried.add(localJdbcUrl + ": " + problem);
    String docker = dockerProblem.get();
    if (docker == null) {
      postgresContainer = new PostgreSQLContainer("postgres:16");
      postgresContainer.start();
      return postgres =
          new Jdbc(
              postgresContainer.getJdbcUrl(),
              postgresContainer.getUsername(),
              postgresContainer.getPassword(),
              "Testcontainers postgres:16");
    }
    tried.add("Testcontainers: " + docker);
    throw new ServiceUnavailableException(
        "PostgreSQL is needed by "
            + testClass.getName()
            + " but none was found. Provide it in one of three ways:\n"
            + "  1. set "
            + JDBC_URL_ENV
            + " (and "
            + JDBC_USER_ENV
            + ", "
            + JDBC_PASSWORD_ENV
            + ") to a PostgreSQL database;\n"
            + "  2. run PostgreSQL on 127.0.0.1:5432 with user postgres (trust auth) and database"
            + " test, e.g. pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main"
            + " start;\n"
            + "  3. start a Docker engine, so Testcontainers can run postgres:16.\n"
            + "Tried: "
            + String.join("; ", tried));
  }

  /**
   * A MariaDB (or MySQL) server, its URL without a database: the environment ({@value
   * #MARIADB_URL_ENV}), then this machine's (127.0.0.1:3306, root, no password).
   */
  synchronized Jdbc mariadb(Class<?> testClass) {
    if (mariadb != null) {
      return mariadb;
    }
    String envUrl = environment.get(MARIADB_URL_ENV);
    if (envUrl != null && !envUrl.isBlank()) {
      Jdbc candidate =
          new Jdbc(
              envUrl,
              envOr(MARIADB_USER_ENV, "root"),
              envOr(MARIADB_PASSWORD_ENV, ""),
              MARIADB_URL_ENV);
      String problem = tryConnect(candidate);
      if (problem == null) {
        return mariadb = candidate;
      }
      throw new ServiceUnavailableException(
          "MariaDB from " + MARIADB_URL_ENV + "=" + envUrl + " does not answer: " + problem);
    }
    Jdbc local =
        new Jdbc(LOCAL_MARIADB_URL, "root", "", "this machine (" + LOCAL_MARIADB_URL + ")");
    String problem = tryConnect(local);
    if (problem == null) {
      return mariadb = local;
    }
    throw new ServiceUnavailableException(
        "MariaDB is needed by "
            + testClass.getName()
            + " but none was found. Provide it in one of two ways:\n"
            + "  1. set "
            + MARIADB_URL_ENV
            + " (and "
            + MARIADB_USER_ENV
            + ", "
            + MARIADB_PASSWORD_ENV
            + ") to a MariaDB or MySQL server, e.g. jdbc:mariadb://host:3306/;\n"
            + "  2. run MariaDB on 127.0.0.1:3306 with user root and no password, e.g."
            + " start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd.\n"
            + "Tried: "
            + MARIADB_URL_ENV
            + " is not set; "
            + LOCAL_MARIADB_URL
            + ": "
            + problem);
  }

  synchronized Redis redis(Class<?> testClass) {
    if (redis != null) {
      return redis;
    }
    List<String> tried = new ArrayList<>();
    String envUrl = environment.get(REDIS_URL_ENV);
    if (envUrl != null && !envUrl.isBlank()) {
      URI uri = URI.create(envUrl);
      Redis candidate =
          new Redis(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), REDIS_URL_ENV);
      String problem = Resp.pingProblem(candidate.host(), candidate.port());
      if (problem == null) {
        return redis = candidate;
      }
      throw new ServiceUnavailableException(
          "Redis from " + REDIS_URL_ENV + "=" + envUrl + " does not answer: " + problem);
    }
    tried.add(REDIS_URL_ENV + " is not set");
    String local = localRedisHost + ":" + localRedisPort;
    String problem = Resp.pingProblem(localRedisHost, localRedisPort);
    if (problem == null) {
      return redis = new Redis(localRedisHost, localRedisPort, "this machine (" + local + ")");
    }
    tried.add(local + ": " + problem);
    String docker = dockerProblem.get();
    if (docker == null) {
      redisContainer = new GenericContainer<>("redis:7").withExposedPorts(6379);
      redisContainer.start();
      return redis =
          new Redis(
              redisContainer.getHost(),
              redisContainer.getMappedPort(6379),
              "Testcontainers redis:7");
    }
    tried.add("Testcontainers: " + docker);
    throw new ServiceUnavailableException(
        "Redis is needed by "
            + testClass.getName()
            + " but none was found. Provide it in one of three ways:\n"
            + "  1. set "
            + REDIS_URL_ENV
            + "=redis://host:port;\n"
            + "  2. run Redis on 127.0.0.1:6379, e.g. redis-server --daemonize yes --port 6379"
            + " --save \"\" --appendonly no;\n"
            + "  3. start a Docker engine, so Testcontainers can run redis:7.\n"
            + "Tried: "
            + String.join("; ", tried));
  }

  private static String tryConnect(Jdbc candidate) {
    Properties props = new Properties();
    props.setProperty("user", candidate.user());
    props.setProperty("password", candidate.password());
    // PostgreSQL's driver counts these in seconds, MariaDB's in milliseconds
    boolean mariadb = candidate.jdbcUrl().startsWith("jdbc:mariadb:");
    props.setProperty("connectTimeout", mariadb ? "3000" : "3");
    props.setProperty("loginTimeout", "5");
    try {
      DriverManager.getConnection(candidate.jdbcUrl(), props).close();
      return null;
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  private static String dockerProblem() {
    try {
      return DockerClientFactory.instance().isDockerAvailable() ? null : "no Docker engine found";
    } catch (RuntimeException | LinkageError e) {
      return "no Docker engine found (" + e.getMessage() + ")";
    }
  }

  private String envOr(String name, String defaultValue) {
    String value = environment.get(name);
    return value == null ? defaultValue : value;
  }
}
