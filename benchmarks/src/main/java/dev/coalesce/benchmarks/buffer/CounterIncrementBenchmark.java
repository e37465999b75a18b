package dev.coalesce.benchmarks.buffer;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One increment per transaction on a few hot rows, three ways, side by side in one run:
 *
 * <ul>
 *   <li>{@code buffered}: {@code find} then {@code views++} on a {@code @BufferedCounter}; the
 *       commit issues no SQL UPDATE and pushes +1 to Redis
 *   <li>{@code plainEntity}: the same code on a plain column; Hibernate writes the absolute value,
 *       so concurrent increments of one row are lost (the tear-down prints sent vs in the database)
 *   <li>{@code jpqlIncrement}: {@code update ... set views = views + 1}; exact, but every increment
 *       queues on the row lock
 * </ul>
 *
 * Run: {@code java -jar benchmarks/target/benchmarks.jar CounterIncrementBenchmark -t 8}. Needs
 * PostgreSQL and Redis; {@code -Dcoalesce.jdbc.url=...}, {@code -Dcoalesce.jdbc.user=...}, {@code
 * -Dcoalesce.jdbc.password=...} and {@code -Dcoalesce.redis.address=...} override the local
 * defaults. Tables live in the schema {@code bench_buffer}, dropped at the end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
@Threads(8)
public class CounterIncrementBenchmark {

  private static final String SCHEMA = "bench_buffer";
  private static final String JDBC_URL =
      System.getProperty("coalesce.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String JDBC_USER = System.getProperty("coalesce.jdbc.user", "postgres");
  private static final String JDBC_PASSWORD = System.getProperty("coalesce.jdbc.password", "");

  /** How many rows all threads increment. */
  @Param({"1", "10"})
  public int hotRows;

  private EntityManagerFactory factory;
  private CounterBuffer buffer;
  private final LongAdder plainSent = new LongAdder();
  private final LongAdder jpqlSent = new LongAdder();
  private final LongAdder bufferedSent = new LongAdder();

  @Setup(Level.Trial)
  public void boot() throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("create schema if not exists " + SCHEMA);
    }
    Map<String, Object> settings = new HashMap<>();
    settings.put("jakarta.persistence.jdbc.url", JDBC_URL);
    settings.put("jakarta.persistence.jdbc.user", JDBC_USER);
    settings.put("jakarta.persistence.jdbc.password", JDBC_PASSWORD);
    settings.put("hibernate.default_schema", SCHEMA);
    settings.put("hibernate.hbm2ddl.auto", "create-drop");
    settings.put("hibernate.hikari.maximumPoolSize", "16");
    settings.put(
        BufferSettings.REDIS_ADDRESS,
        System.getProperty("coalesce.redis.address", "redis://127.0.0.1:6379"));
    settings.put(BufferSettings.NAMESPACE, "bench-buffer");
    settings.put(BufferSettings.FLUSH_INTERVAL, "1s");
    factory =
        new HibernatePersistenceConfiguration("counter-benchmark")
            .managedClasses(BufferedCounterPost.class, PlainCounterPost.class)
            .properties(settings)
            .createEntityManagerFactory();
    buffer = CounterBuffer.of(factory);
    EntityManager em = factory.createEntityManager();
    em.getTransaction().begin();
    for (long id = 1; id <= hotRows; id++) {
      em.persist(new BufferedCounterPost(id));
      em.persist(new PlainCounterPost(id));
    }
    em.getTransaction().commit();
    em.close();
  }

  /**
   * Each benchmark method runs in its own trial on fresh tables, so the two counts of a table are
   * those of the method that ran: plainEntity and jpqlIncrement share plain_post.
   */
  @TearDown(Level.Trial)
  public void report() throws SQLException {
    buffer.flush();
    System.out.printf(
        "%n[hotRows=%d] buffered_post: sent %d, in database %d | plain_post: sent %d (plain"
            + " entity) + %d (JPQL), in database %d%n",
        hotRows,
        bufferedSent.sum(),
        sum("buffered_post"),
        plainSent.sum(),
        jpqlSent.sum(),
        sum("plain_post"));
    factory.close();
  }

  private static Connection connect() throws SQLException {
    return DriverManager.getConnection(JDBC_URL, JDBC_USER, JDBC_PASSWORD);
  }

  private long sum(String table) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("select coalesce(sum(views), 0) from " + SCHEMA + "." + table)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private long hotId() {
    return 1 + ThreadLocalRandom.current().nextInt(hotRows);
  }

  @Benchmark
  public void buffered() {
    inTransaction(em -> em.find(BufferedCounterPost.class, hotId()).views++);
    bufferedSent.increment();
  }

  @Benchmark
  public void plainEntity() {
    inTransaction(em -> em.find(PlainCounterPost.class, hotId()).views++);
    plainSent.increment();
  }

  @Benchmark
  public void jpqlIncrement() {
    inTransaction(
        em ->
            em.createQuery("update PlainCounterPost p set p.views = p.views + 1 where p.id = :id")
                .setParameter("id", hotId())
                .executeUpdate());
    jpqlSent.increment();
  }

  /** One transaction of its own, committed; an exception ends the run. */
  private void inTransaction(Consumer<EntityManager> work) {
    EntityManager em = factory.createEntityManager();
    try {
      em.getTransaction().begin();
      work.accept(em);
      em.getTransaction().commit();
    } finally {
      em.close();
    }
  }
}
