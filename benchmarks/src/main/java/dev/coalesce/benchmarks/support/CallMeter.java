package dev.coalesce.benchmarks.support;

import java.io.FileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What one call costs besides its time, per measurement iteration: Redis commands on the wire (from
 * the benchmark's {@link OwnRedis}), SQL statements (Hibernate's statistics), GC time and
 * background flushes. JMH reports time only, so these go to a side file ({@code
 * -Dcoalesce.bench.extras=path}, one tab-separated line per iteration and per trial) that {@code
 * Compare} joins with JMH's results by benchmark, parameters and threads.
 *
 * <p>Redis counts come two ways: {@code INFO commandstats} over the measured iterations counts what
 * Redis executed, commands run inside Lua scripts included; a {@link Monitor} over the last warm-up
 * iteration counts what clients sent (on the wire).
 *
 * <p>Work done between calls to set up the next one (evicting entries for a cold read) is excluded
 * with {@link #excludeBegin()} and {@link #excludeEnd()}.
 */
public final class CallMeter {

  private final OwnRedis redis;
  private final LongSupplier sqlStatements;
  private final LongSupplier flushes;
  private final LongAdder calls = new LongAdder();

  private Map<String, Long> redisAtStart;
  private final Map<String, Long> redisExcluded = new TreeMap<>();
  private Map<String, Long> excludeStart;
  private long sqlAtStart;
  private long sqlExcluded;
  private long sqlExcludeStart;
  private long callsAtStart;
  private long gcAtStart;
  private long flushesAtStart;
  private long nanosAtStart;
  private Monitor monitor;
  private long callsAtMonitorStart;

  /**
   * @param redis the server to count commands on, or null when the benchmark sends none
   * @param sqlStatements statements prepared so far (Hibernate's statistics)
   * @param flushes background and explicit buffer flushes so far, or null
   */
  public CallMeter(OwnRedis redis, LongSupplier sqlStatements, LongSupplier flushes) {
    this.redis = redis;
    this.sqlStatements = sqlStatements;
    this.flushes = flushes == null ? () -> 0 : flushes;
  }

  /** Counts {@code n} calls (increments) done; call it from the benchmark method. */
  public void calls(long n) {
    calls.add(n);
  }

  /** Every call counted so far, warm-up iterations included. */
  public long callsSoFar() {
    return calls.sum();
  }

  public void excludeBegin() {
    if (monitor != null) {
      monitor.excludeBegin();
    }
    excludeStart = redisCounts();
    sqlExcludeStart = sqlStatements.getAsLong();
  }

  public void excludeEnd() {
    subtract(redisExcluded, redisCounts(), excludeStart, 1);
    sqlExcluded += sqlStatements.getAsLong() - sqlExcludeStart;
    if (monitor != null) {
      monitor.excludeEnd();
    }
  }

  /**
   * Starts an iteration. The last warm-up iteration runs under {@link Monitor} (commands on the
   * wire, told apart from those scripts run), which slows Redis, so that no measured iteration
   * does.
   */
  public void iterationBegin(BenchmarkParams benchmark, IterationParams iteration, int index) {
    if (redis != null
        && iteration.getType() == IterationType.WARMUP
        && index == benchmark.getWarmup().getCount() - 1) {
      monitor = redis.monitor();
      callsAtMonitorStart = calls.sum();
    }
    redisExcluded.clear();
    sqlExcluded = 0;
    redisAtStart = redisCounts();
    sqlAtStart = sqlStatements.getAsLong();
    callsAtStart = calls.sum();
    gcAtStart = gcMillis();
    flushesAtStart = flushes.getAsLong();
    nanosAtStart = System.nanoTime();
  }

  /** Writes one {@code iter} line for a measurement iteration; warm-up iterations write none. */
  public void iterationEnd(BenchmarkParams benchmark, IterationParams iteration, int index) {
    long nanos = System.nanoTime() - nanosAtStart;
    if (monitor != null) {
      Map<String, Long> wire = monitor.stop();
      monitor = null;
      write(
          "wire",
          key(benchmark),
          Long.toString(calls.sum() - callsAtMonitorStart),
          Long.toString(wire.values().stream().mapToLong(Long::longValue).sum()),
          breakdown(wire));
    }
    if (iteration.getType() != IterationType.MEASUREMENT) {
      return;
    }
    Map<String, Long> perCommand = new TreeMap<>();
    subtract(perCommand, redisCounts(), redisAtStart, 1);
    subtract(perCommand, redisExcluded, Map.of(), -1);
    perCommand.values().removeIf(v -> v == 0);
    long redisTotal = perCommand.values().stream().mapToLong(Long::longValue).sum();
    write(
        "iter",
        key(benchmark),
        Integer.toString(index),
        Long.toString(calls.sum() - callsAtStart),
        Long.toString(nanos),
        Long.toString(redisTotal),
        Long.toString(sqlStatements.getAsLong() - sqlAtStart - sqlExcluded),
        Long.toString(gcMillis() - gcAtStart),
        Long.toString(flushes.getAsLong() - flushesAtStart),
        breakdown(perCommand));
  }

  private static String breakdown(Map<String, Long> perCommand) {
    StringBuilder text = new StringBuilder();
    perCommand.forEach(
        (k, v) -> text.append(text.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return text.toString();
  }

  /** Writes the {@code trial} line: increments attempted and those the store or database holds. */
  public void trialEnd(BenchmarkParams benchmark, long attempted, long landed) {
    write("trial", key(benchmark), Long.toString(attempted), Long.toString(landed), loadAverage());
  }

  /** The machine's one-minute load average: this machine is shared, so the report shows it. */
  private static String loadAverage() {
    return String.format(
        java.util.Locale.ROOT,
        "%.2f",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private Map<String, Long> redisCounts() {
    return redis == null ? Map.of() : redis.commandCounts();
  }

  private static void subtract(
      Map<String, Long> into, Map<String, Long> now, Map<String, Long> before, int sign) {
    now.forEach((k, v) -> into.merge(k, sign * (v - before.getOrDefault(k, 0L)), Long::sum));
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  /** Benchmark method, parameters in name order and threads: how {@code Compare} joins results. */
  public static String key(BenchmarkParams params) {
    StringBuilder key = new StringBuilder(params.getBenchmark());
    for (String name : new java.util.TreeSet<>(params.getParamsKeys())) {
      key.append(' ').append(name).append('=').append(params.getParam(name));
    }
    return key.append(" threads=").append(params.getThreads()).toString();
  }

  private static synchronized void write(String... fields) {
    String path = System.getProperty("coalesce.bench.extras");
    if (path == null) {
      return;
    }
    try (Writer out = new FileWriter(path, true)) {
      out.write(String.join("\t", fields));
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path, e);
    }
  }
}
