package dev.coalesce.benchmarks.cache;

import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code session.findMultiple} of N ids in a transaction, side by side in one run:
 *
 * <ul>
 *   <li>{@code multigetCache}: through the multiget second-level cache in Redis, warm (one MGET per
 *       call, no SQL)
 *   <li>{@code databaseOnly}: the baseline, second-level cache off (one SQL query per call)
 * </ul>
 *
 * Run: {@code java -jar benchmarks/target/benchmarks.jar FindMultipleBenchmark}. Needs PostgreSQL
 * and Redis; {@code -Dcoalesce.jdbc.url=...}, {@code -Dcoalesce.jdbc.user=...}, {@code
 * -Dcoalesce.jdbc.password=...} and {@code -Dcoalesce.redis.address=...} override the local
 * defaults. Tables live in the schema {@code bench_cache}, dropped at the end; Redis keys under the
 * namespace {@code bench-cache}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class FindMultipleBenchmark {

  private static final String SCHEMA = "bench_cache";
  private static final int ROWS = 10_000;

  /** How many ids one call loads. */
  @Param({"1", "10", "100"})
  public int n;

  private SessionFactory cached;
  private SessionFactory database;
  private String url;
  private String user;
  private String password;

  @Setup(Level.Trial)
  public void boot() throws SQLException {
    // Logback's default is DEBUG on the console: it would measure logging, not loading.
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    url = System.getProperty("coalesce.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test");
    user = System.getProperty("coalesce.jdbc.user", "postgres");
    password = System.getProperty("coalesce.jdbc.password", "");
    execute("create schema if not exists " + SCHEMA);

    Map<String, Object> common = new HashMap<>();
    common.put("jakarta.persistence.jdbc.url", url);
    common.put("jakarta.persistence.jdbc.user", user);
    common.put("jakarta.persistence.jdbc.password", password);
    common.put("hibernate.default_schema", SCHEMA);
    common.put("hibernate.hikari.maximumPoolSize", "4");

    Map<String, Object> withCache = new HashMap<>(common);
    withCache.put("hibernate.hbm2ddl.auto", "create");
    withCache.put("hibernate.cache.use_second_level_cache", "true");
    withCache.put("hibernate.cache.region.factory_class", "multiget");
    withCache.put(
        "hibernate.coalesce.redis.address",
        System.getProperty("coalesce.redis.address", "redis://127.0.0.1:6379"));
    withCache.put("hibernate.coalesce.namespace", "bench-cache");
    cached = boot(withCache);

    Map<String, Object> withoutCache = new HashMap<>(common);
    withoutCache.put("hibernate.hbm2ddl.auto", "none");
    withoutCache.put("hibernate.cache.use_second_level_cache", "false");
    database = boot(withoutCache);

    cached.inTransaction(
        session -> {
          for (long id = 1; id <= ROWS; id++) {
            session.persist(new CachedPost(id));
            if (id % 500 == 0) {
              session.flush();
              session.clear();
            }
          }
        });
    cached.getCache().evictAllRegions();
    // warm the cache: every row once through findMultiple
    for (long from = 1; from <= ROWS; from += 100) {
      List<Long> ids = range(from, 100);
      cached.inTransaction(session -> session.findMultiple(CachedPost.class, ids));
    }
  }

  private static SessionFactory boot(Map<String, Object> settings) {
    EntityManagerFactory emf =
        new HibernatePersistenceConfiguration("find-multiple-benchmark")
            .managedClasses(CachedPost.class)
            .properties(settings)
            .createEntityManagerFactory();
    return emf.unwrap(SessionFactory.class);
  }

  @TearDown(Level.Trial)
  public void close() throws SQLException {
    cached.getCache().evictAllRegions();
    database.close();
    cached.close();
    execute("drop schema if exists " + SCHEMA + " cascade");
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, user, password);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static List<Long> range(long from, int count) {
    List<Long> ids = new ArrayList<>(count);
    for (long id = from; id < from + count && id <= ROWS; id++) {
      ids.add(id);
    }
    return ids;
  }

  private List<Long> randomIds() {
    long from = 1 + ThreadLocalRandom.current().nextLong(ROWS - n);
    return range(from, n);
  }

  @Benchmark
  public List<CachedPost> multigetCache() {
    List<Long> ids = randomIds();
    return cached.fromTransaction(session -> session.findMultiple(CachedPost.class, ids));
  }

  @Benchmark
  public List<CachedPost> databaseOnly() {
    List<Long> ids = randomIds();
    return database.fromTransaction(session -> session.findMultiple(CachedPost.class, ids));
  }
}
