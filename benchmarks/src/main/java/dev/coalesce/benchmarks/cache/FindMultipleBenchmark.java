package dev.coalesce.benchmarks.cache;

import dev.coalesce.benchmarks.support.CallMeter;
import dev.coalesce.benchmarks.support.OwnRedis;
import dev.coalesce.benchmarks.support.Postgres;
import dev.coalesce.cache.MultiGet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * {@code session.findMultiple} of N consecutive ids (from a random start) in a transaction of its
 * own, on 10,000 rows of 10 columns, through the cache a user would otherwise pick:
 *
 * <ul>
 *   <li>{@code coalesce}: this project's {@code multiget} region in Redis
 *   <li>{@code redisson}: Redisson's Hibernate 7 region factory ({@code redisson-hibernate-7}
 *       4.2.0, the newest published for Hibernate 7), default codec, an {@code RMapCache} per
 *       region
 *   <li>{@code jcache}: an in-JVM JCache through {@code hibernate-jcache}, Ehcache 3 by value (the
 *       JCache default; Caffeine's {@code jcache} module is not reachable from this build's
 *       repository)
 *   <li>{@code none}: the second-level cache off: the database alone
 * </ul>
 *
 * and {@code state}: {@code warm} (every row cached beforehand), {@code cold} (the region evicted
 * before every call) or {@code half} (every other id of the call evicted before it). Evictions run
 * outside the timed call and their commands are not counted. Every cache is {@code READ_WRITE}.
 *
 * <p>Redis runs as a {@code redis-server} of the trial's own, so its {@code INFO commandstats}
 * gives the commands per call; SQL per call comes from Hibernate's statistics. {@code Compare} runs
 * the matrix and writes the report; run one cell by hand with {@code java -jar
 * benchmarks/target/benchmarks.jar FindMultipleBenchmark -p cache=coalesce -p state=cold -p n=100}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FindMultipleBenchmark {

  static final String SCHEMA = "bench_cache";
  static final int ROWS = 10_000;

  /** Inserts {@link #ROWS} rows in one statement (fast enough to do in every fork). */
  static final String SEED =
      "insert into "
          + SCHEMA
          + ".cached_post (id, title, body, author, category, views, likes, score, published,"
          + " version) select g, 'post ' || g, 'body of post ' || g || ', long enough to be a"
          + " realistic row of text', 'author ' || (g % 97), 'category ' || (g % 13), g * 7,"
          + " g % 101, g / 3.0, g % 2 = 0, 0 from generate_series(1, "
          + ROWS
          + ") g";

  /** Which second-level cache, see the class comment. */
  @Param({"coalesce", "redisson", "jcache", "none"})
  public String cache;

  /** {@code warm}, {@code cold} or {@code half}: what the cache holds when a call starts. */
  @Param({"warm", "cold", "half"})
  public String state;

  /** How many ids one call loads. */
  @Param({"1", "10", "100", "1000"})
  public int n;

  private OwnRedis redis;
  private Path redissonConfig;
  private SessionFactory factory;
  private CallMeter meter;
  private int iteration;
  private List<Long> next;

  @Setup(Level.Trial)
  public void boot() throws IOException {
    // Logback's default is DEBUG on the console: it would measure logging, not loading.
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    Postgres.execute("create schema if not exists " + SCHEMA);
    Map<String, Object> settings = Postgres.settings(SCHEMA, 4);
    settings.put("hibernate.hbm2ddl.auto", "create");
    if (cache.equals("none")) {
      settings.put("hibernate.cache.use_second_level_cache", "false");
    } else {
      settings.put("hibernate.cache.use_second_level_cache", "true");
    }
    switch (cache) {
      case "coalesce" -> {
        redis = OwnRedis.start();
        settings.put("hibernate.cache.region.factory_class", "multiget");
        settings.put("hibernate.coalesce.redis.address", redis.address());
        settings.put("hibernate.coalesce.namespace", "bench");
      }
      case "redisson" -> {
        redis = OwnRedis.start();
        redissonConfig = Files.createTempFile("redisson-bench", ".yaml");
        Files.writeString(
            redissonConfig, "singleServerConfig:\n  address: \"" + redis.address() + "\"\n");
        settings.put(
            "hibernate.cache.region.factory_class", "org.redisson.hibernate.RedissonRegionFactory");
        settings.put("hibernate.cache.redisson.config", redissonConfig.toString());
      }
      case "jcache" -> {
        settings.put("hibernate.cache.region.factory_class", "jcache");
        settings.put("hibernate.javax.cache.provider", "org.ehcache.jsr107.EhcacheCachingProvider");
        settings.put("hibernate.javax.cache.missing_cache_strategy", "create");
      }
      case "none" -> {}
      default ->
          throw new IllegalArgumentException(
              "cache=" + cache + ": use coalesce, redisson, jcache or none");
    }
    if (!List.of("warm", "cold", "half").contains(state)) {
      throw new IllegalArgumentException("state=" + state + ": use warm, cold or half");
    }
    factory =
        new HibernatePersistenceConfiguration("find-multiple-" + cache)
            .managedClasses(CachedPost.class)
            .properties(settings)
            .createEntityManagerFactory()
            .unwrap(SessionFactory.class);
    Postgres.execute(SEED);
    if (!state.equals("cold")) {
      for (long from = 1; from <= ROWS; from += 1000) {
        List<Long> ids = range(from, 1000);
        factory.inTransaction(session -> session.findMultiple(CachedPost.class, ids));
      }
    }
    meter = new CallMeter(redis, () -> factory.getStatistics().getPrepareStatementCount(), null);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    factory.close();
    if (redis != null) {
      redis.close();
    }
    if (redissonConfig != null) {
      Files.deleteIfExists(redissonConfig);
    }
    Postgres.execute("drop schema if exists " + SCHEMA + " cascade");
  }

  @Setup(Level.Iteration)
  public void iterationBegin(BenchmarkParams benchmark, IterationParams iterationParams) {
    meter.iterationBegin(benchmark, iterationParams, iteration);
  }

  @TearDown(Level.Iteration)
  public void iterationEnd(BenchmarkParams benchmark, IterationParams iterationParams) {
    meter.iterationEnd(benchmark, iterationParams, iteration++);
  }

  /** Picks the next call's ids and makes the cache hold what {@link #state} says. */
  @Setup(Level.Invocation)
  public void prepareCall() {
    long from = 1 + ThreadLocalRandom.current().nextLong(ROWS - n + 1);
    next = range(from, n);
    if (state.equals("warm") || cache.equals("none")) {
      return;
    }
    if (cache.equals("coalesce")) {
      // The last call's write-back leaves after the call, from the cache's sender thread: let it
      // land before the evictions, whose commands are not counted, or it would be left out with
      // them. It ran beside the last call's commit and this setup before the sender thread too.
      MultiGet.awaitWriteBacks(factory);
    }
    meter.excludeBegin();
    if (state.equals("cold")) {
      factory.getCache().evictEntityData(CachedPost.class);
    } else {
      for (int i = 0; i < next.size(); i += 2) {
        factory.getCache().evictEntityData(CachedPost.class, next.get(i));
      }
    }
    meter.excludeEnd();
  }

  private static List<Long> range(long from, int count) {
    List<Long> ids = new ArrayList<>(count);
    for (long id = from; id < from + count && id <= ROWS; id++) {
      ids.add(id);
    }
    return ids;
  }

  @Benchmark
  public List<CachedPost> findMultiple() {
    List<Long> ids = next;
    List<CachedPost> found =
        factory.fromTransaction(session -> session.findMultiple(CachedPost.class, ids));
    if (found.size() != ids.size() || found.contains(null)) {
      throw new IllegalStateException("findMultiple(" + ids.size() + ") found " + found.size());
    }
    meter.calls(1);
    return found;
  }
}
