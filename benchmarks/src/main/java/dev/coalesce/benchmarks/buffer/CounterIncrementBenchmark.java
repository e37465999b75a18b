package dev.coalesce.benchmarks.buffer;

import dev.coalesce.benchmarks.support.CallMeter;
import dev.coalesce.benchmarks.support.OwnRedis;
import dev.coalesce.benchmarks.support.Postgres;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.redisson.api.RFuture;
import org.redisson.client.RedisClient;
import org.redisson.client.RedisClientConfig;
import org.redisson.client.RedisConnection;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.RedisStrictCommand;

/**
 * One increment of a counter on one of {@code rows} rows (chosen at random), from JMH's threads
 * ({@code -t}), six ways side by side in one run:
 *
 * <ul>
 *   <li>{@code buffered}: a transaction that {@code find}s the row and does {@code views++} on a
 *       {@code @BufferedCounter}; the commit pushes +1 to Redis, a background flush applies it
 *   <li>{@code bufferedDirect}: {@link CounterBuffer#increment} outside a transaction (no row read)
 *   <li>{@code plainEntity}: the same code as {@code buffered} on a plain column: Hibernate writes
 *       the absolute value, so concurrent increments of one row are lost
 *   <li>{@code jpql}: {@code update ... set views = views + 1}, exact, queued on the row lock
 *   <li>{@code redisHincrby}: raw {@code HINCRBY} on a Redis connection of the thread's own, one
 *       round trip per increment (what {@code redis-benchmark -P 1} measures)
 *   <li>{@code redisHincrbyPipelined}: 16 {@code HINCRBY} per round trip on that connection: the
 *       ceiling of one client thread when commands are pipelined
 * </ul>
 *
 * The score is attempted increments per second; {@code Compare} multiplies it by the share that
 * landed, counted at the end of the trial by the database (after a final flush for the buffered
 * ways) or, for raw Redis, by Redis. Redis runs as a {@code redis-server} of the trial's own, so
 * its {@code INFO commandstats} gives the commands per increment (the background flush's included);
 * SQL per increment comes from Hibernate's statistics.
 *
 * <p>Run one cell by hand: {@code java -jar benchmarks/target/benchmarks.jar
 * 'CounterIncrementBenchmark.jpql' -p rows=10 -t 32}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(8)
public class CounterIncrementBenchmark {

  private static final String SCHEMA = "bench_buffer";
  private static final RedisStrictCommand<Long> HINCRBY = new RedisStrictCommand<>("HINCRBY");
  private static final String HASH = "bench:views";
  private static final int PIPELINE = 16;

  /** How many rows all threads increment. */
  @Param({"1", "10", "10000"})
  public int rows;

  /** {@code hibernate.coalesce.buffer.flush_interval} of the buffered ways. */
  @Param({"1s"})
  public String flushInterval;

  private OwnRedis redis;
  private EntityManagerFactory factory;
  private CounterBuffer buffer;
  private RedisClient rawClient;
  private String table;
  private CallMeter meter;
  private int iteration;

  @Setup(Level.Trial)
  public void boot(BenchmarkParams params) {
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    String way = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    boolean bufferedWay = way.startsWith("buffered");
    if (bufferedWay || way.startsWith("redis")) {
      redis = OwnRedis.start();
    }
    if (way.startsWith("redis")) {
      RedisClientConfig config = new RedisClientConfig();
      config.setAddress(redis.address());
      // NIO, and a resolver set here: RedisClient's own choice touches the epoll classes, which
      // this build does not bring
      config.setSocketChannelClass(io.netty.channel.socket.nio.NioSocketChannel.class);
      config.setResolverGroup(
          new io.netty.resolver.dns.DnsAddressResolverGroup(
              io.netty.channel.socket.nio.NioDatagramChannel.class,
              io.netty.resolver.dns.DnsServerAddressStreamProviders.platformDefault()));
      rawClient = RedisClient.create(config);
      meter = new CallMeter(redis, () -> 0, null);
      return;
    }
    Postgres.execute("create schema if not exists " + SCHEMA);
    Map<String, Object> settings = Postgres.settings(SCHEMA, params.getThreads() + 2);
    settings.put("hibernate.hbm2ddl.auto", "create");
    Class<?> entity;
    if (bufferedWay) {
      entity = BufferedCounterPost.class;
      table = "buffered_post";
      settings.put(BufferSettings.REDIS_ADDRESS, redis.address());
      settings.put(BufferSettings.NAMESPACE, "bench");
      settings.put(BufferSettings.FLUSH_INTERVAL, flushInterval);
    } else {
      entity = PlainCounterPost.class;
      table = "plain_post";
    }
    factory =
        new HibernatePersistenceConfiguration("counter-" + way)
            .managedClasses(entity)
            .properties(settings)
            .createEntityManagerFactory();
    Postgres.execute(
        "insert into "
            + SCHEMA
            + "."
            + table
            + " (id, title, views) select g, 'post ' || g, 0 from generate_series(1, "
            + rows
            + ") g");
    SessionFactory sessions = factory.unwrap(SessionFactory.class);
    if (bufferedWay) {
      buffer = CounterBuffer.of(factory);
      meter =
          new CallMeter(
              redis,
              () -> sessions.getStatistics().getPrepareStatementCount(),
              () -> buffer.stats().flushes());
    } else {
      meter = new CallMeter(null, () -> sessions.getStatistics().getPrepareStatementCount(), null);
    }
  }

  /** Counts what landed, for {@code Compare}'s landed increments per second. */
  @TearDown(Level.Trial)
  public void close(BenchmarkParams params) {
    long landed;
    if (rawClient != null) {
      RedisConnection connection = rawClient.connect();
      List<Object> values =
          connection.sync(
              StringCodec.INSTANCE, new RedisStrictCommand<List<Object>>("HVALS"), HASH);
      landed = values.stream().mapToLong(v -> Long.parseLong(v.toString())).sum();
      connection.closeAsync();
      rawClient.shutdown();
    } else {
      if (buffer != null) {
        buffer.flush();
      }
      landed = Postgres.queryLong("select coalesce(sum(views), 0) from " + SCHEMA + "." + table);
      factory.close();
      Postgres.execute("drop schema if exists " + SCHEMA + " cascade");
    }
    meter.trialEnd(params, meter.callsSoFar(), landed);
    if (redis != null) {
      redis.close();
    }
  }

  @Setup(Level.Iteration)
  public void iterationBegin(BenchmarkParams benchmark, IterationParams iterationParams) {
    meter.iterationBegin(benchmark, iterationParams, iteration);
  }

  @TearDown(Level.Iteration)
  public void iterationEnd(BenchmarkParams benchmark, IterationParams iterationParams) {
    meter.iterationEnd(benchmark, iterationParams, iteration++);
  }

  /** What each JMH thread keeps: an EntityManager for direct increments, a Redis connection. */
  @State(Scope.Thread)
  public static class Caller {
    EntityManager em;
    RedisConnection connection;

    @Setup(Level.Trial)
    public void open(CounterIncrementBenchmark benchmark) {
      if (benchmark.factory != null) {
        em = benchmark.factory.createEntityManager();
      }
      if (benchmark.rawClient != null) {
        connection = benchmark.rawClient.connect();
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      if (em != null) {
        em.close();
      }
      if (connection != null) {
        connection.closeAsync();
      }
    }
  }

  private long randomRow() {
    return 1 + ThreadLocalRandom.current().nextInt(rows);
  }

  @Benchmark
  public void buffered() {
    inTransaction(em -> em.find(BufferedCounterPost.class, randomRow()).views++);
    meter.calls(1);
  }

  @Benchmark
  public void bufferedDirect(Caller caller) {
    buffer.increment(caller.em, BufferedCounterPost.class, randomRow(), "views", 1);
    meter.calls(1);
  }

  @Benchmark
  public void plainEntity() {
    inTransaction(em -> em.find(PlainCounterPost.class, randomRow()).views++);
    meter.calls(1);
  }

  @Benchmark
  public void jpql() {
    inTransaction(
        em ->
            em.createQuery("update PlainCounterPost p set p.views = p.views + 1 where p.id = :id")
                .setParameter("id", randomRow())
                .executeUpdate());
    meter.calls(1);
  }

  @Benchmark
  public Long redisHincrby(Caller caller) {
    Long value = caller.connection.sync(StringCodec.INSTANCE, HINCRBY, HASH, randomRow(), 1);
    meter.calls(1);
    return value;
  }

  @Benchmark
  @OperationsPerInvocation(PIPELINE)
  public void redisHincrbyPipelined(Caller caller) {
    List<RFuture<Long>> replies = new ArrayList<>(PIPELINE);
    for (int i = 0; i < PIPELINE; i++) {
      replies.add(caller.connection.async(StringCodec.INSTANCE, HINCRBY, HASH, randomRow(), 1));
    }
    for (RFuture<Long> reply : replies) {
      reply.toCompletableFuture().join();
    }
    meter.calls(PIPELINE);
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
