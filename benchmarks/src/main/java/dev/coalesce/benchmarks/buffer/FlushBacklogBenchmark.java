package dev.coalesce.benchmarks.buffer;

import dev.coalesce.benchmarks.support.OwnRedis;
import dev.coalesce.benchmarks.support.Postgres;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One {@code CounterBuffer.flush()} of a backlog: {@code rows} rows with a pending delta each in
 * Redis (pushed by one transaction before every measured call), applied with {@code flushThreads}
 * partitions at once. Single-shot time; rows per second = rows / time. Exactly once is the tests'
 * business; here the database's sum is checked after the trial.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar FlushBacklogBenchmark -p flushThreads=1,2,4
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FlushBacklogBenchmark {

  private static final String SCHEMA = "bench_backlog";

  @Param({"100000"})
  public int rows;

  @Param({"1", "2", "4"})
  public int flushThreads;

  private OwnRedis redis;
  private EntityManagerFactory factory;
  private CounterBuffer buffer;
  private long flushes;

  @Setup(Level.Trial)
  public void boot() {
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    redis = OwnRedis.start();
    Postgres.execute("drop schema if exists " + SCHEMA + " cascade", "create schema " + SCHEMA);
    Map<String, Object> settings = Postgres.settings(SCHEMA, flushThreads + 2);
    settings.put("hibernate.hbm2ddl.auto", "create");
    settings.put(BufferSettings.REDIS_ADDRESS, redis.address());
    settings.put(BufferSettings.NAMESPACE, "backlog");
    settings.put(BufferSettings.FLUSH_INTERVAL, "1h");
    settings.put(BufferSettings.FLUSH_THREADS, Integer.toString(flushThreads));
    factory =
        new HibernatePersistenceConfiguration("backlog")
            .managedClasses(BufferedCounterPost.class)
            .properties(settings)
            .createEntityManagerFactory();
    Postgres.execute(
        "insert into "
            + SCHEMA
            + ".buffered_post (id, title, views) select g, 'post ' || g, 0 from"
            + " generate_series(1, "
            + rows
            + ") g");
    buffer = CounterBuffer.of(factory);
  }

  /** A backlog of one delta on every row, in Redis before the measured flush. */
  @Setup(Level.Invocation)
  public void backlog() {
    long pushedBefore = buffer.stats().deltasPushed();
    factory.runInTransaction(
        em -> {
          for (long id = 1; id <= rows; id++) {
            buffer.increment(em, BufferedCounterPost.class, id, "views", 1);
          }
        });
    // the push goes out after the commit, on the pusher's thread: measure only once it is in Redis
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (buffer.stats().deltasPushed() < pushedBefore + rows) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The backlog did not reach Redis within a minute");
      }
      Thread.onSpinWait();
    }
  }

  @Benchmark
  public long flush() {
    flushes++;
    long updated = buffer.flush();
    if (updated != rows) {
      throw new IllegalStateException("flushed " + updated + " rows, expected " + rows);
    }
    return updated;
  }

  @TearDown(Level.Trial)
  public void close() {
    long views =
        Postgres.queryLong("select coalesce(sum(views), 0) from " + SCHEMA + ".buffered_post");
    if (views != flushes * rows) {
      throw new IllegalStateException(
          "FlushBacklogBenchmark: the database holds " + views + ", expected " + flushes * rows);
    }
    factory.close();
    Postgres.execute("drop schema if exists " + SCHEMA + " cascade");
    redis.close();
  }
}
