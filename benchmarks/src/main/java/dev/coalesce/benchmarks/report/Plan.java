package dev.coalesce.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Which JMH runs make a pass: the quick pass (a subset, short iterations, under 5 minutes on a
 * 2-core machine) or the full matrix of issue 13 (multi-get N = 1, 10, 100, 1,000 warm, cold and
 * half-cold in each cache; counters on R = 1, 10, 10,000 rows from T = 1, 8, 32 threads, six ways),
 * plus the spread experiment on the buffered way.
 */
record Plan(String name, List<Group> groups) {

  /** One JMH invocation: a benchmark regex, its parameters, threads and iteration lengths. */
  record Group(
      String title,
      String include,
      List<String[]> params,
      int threads,
      int warmups,
      TimeValue warmupTime,
      int measurements,
      TimeValue measurementTime) {

    ChainedOptionsBuilder applyTo(ChainedOptionsBuilder options) {
      options
          .include(include)
          .threads(threads)
          .forks(1)
          .warmupIterations(warmups)
          .warmupTime(warmupTime)
          .measurementIterations(measurements)
          .measurementTime(measurementTime);
      for (String[] param : params) {
        options.param(param[0], java.util.Arrays.copyOfRange(param, 1, param.length));
      }
      return options;
    }

    int trials() {
      int open = include.indexOf('(');
      int trials = open < 0 ? 1 : include.substring(open).split("\\|").length;
      for (String[] param : params) {
        trials *= param.length - 1;
      }
      return trials;
    }
  }

  static final String MULTIGET =
      "dev.coalesce.benchmarks.cache.FindMultipleBenchmark.findMultiple$";

  static String counters(String ways) {
    return "dev.coalesce.benchmarks.buffer.CounterIncrementBenchmark\\.(" + ways + ")$";
  }

  static final String ALL_WAYS =
      "buffered|bufferedDirect|plainEntity|jpql|redisHincrby|redisHincrbyPipelined";

  static String[] p(String... nameAndValues) {
    return nameAndValues;
  }

  /**
   * Warm-up iterations of the quick pass: 5, not 2. With 2 the JIT was still compiling through the
   * measurement of every trial ({@code -prof comp}); the slowest paths (a cold multi-get, the
   * transactional counters from 32 threads) still climb after 5, and {@code --full} warms them
   * longer.
   */
  static final int WARMUPS = 5;

  static Plan quick() {
    TimeValue iteration = TimeValue.milliseconds(750);
    List<Group> groups = new ArrayList<>();
    groups.add(
        new Group(
            "multi-get, N = 100, every cache and state",
            MULTIGET,
            List.of(
                p("cache", "coalesce", "redisson", "jcache"),
                p("state", "warm", "cold", "half"),
                p("n", "100")),
            1,
            WARMUPS,
            iteration,
            4,
            iteration));
    groups.add(
        new Group(
            "multi-get, the database alone, N = 100 and 1,000",
            MULTIGET,
            List.of(p("cache", "none"), p("state", "warm"), p("n", "100", "1000")),
            1,
            WARMUPS,
            iteration,
            4,
            iteration));
    groups.add(
        new Group(
            "multi-get, coalesce warm, N = 1,000",
            MULTIGET,
            List.of(p("cache", "coalesce"), p("state", "warm"), p("n", "1000")),
            1,
            WARMUPS,
            iteration,
            4,
            iteration));
    groups.add(
        new Group(
            "counters, 10 hot rows, 32 threads, six ways",
            counters(ALL_WAYS),
            List.of(p("rows", "10"), p("flushInterval", "1s")),
            32,
            WARMUPS,
            iteration,
            4,
            iteration));
    groups.add(flush(List.of("2"), 2));
    return new Plan("quick", groups);
  }

  /** A few trials with very short iterations: checks the whole chain, measures nothing. */
  static Plan smoke() {
    TimeValue short_ = TimeValue.milliseconds(300);
    return new Plan(
        "smoke",
        List.of(
            new Group(
                "smoke: multi-get",
                MULTIGET,
                List.of(p("cache", "coalesce", "none"), p("state", "warm", "half"), p("n", "10")),
                1,
                2,
                short_,
                2,
                short_),
            new Group(
                "smoke: counters",
                counters("buffered|bufferedDirect|plainEntity|redisHincrbyPipelined"),
                List.of(p("rows", "10"), p("flushInterval", "1s")),
                4,
                2,
                short_,
                2,
                short_)));
  }

  static Plan full() {
    TimeValue two = TimeValue.seconds(2);
    List<Group> groups = new ArrayList<>();
    groups.add(
        new Group(
            "multi-get, every cache, state and N",
            MULTIGET,
            List.of(
                p("cache", "coalesce", "redisson", "jcache"),
                p("state", "warm", "cold", "half"),
                p("n", "1", "10", "100", "1000")),
            1,
            // a cold multi-get levels off after 10 to 15 s (20 iterations of 1 s, measured)
            5,
            two,
            5,
            two));
    groups.add(
        new Group(
            "multi-get, the database alone",
            MULTIGET,
            List.of(p("cache", "none"), p("state", "warm"), p("n", "1", "10", "100", "1000")),
            1,
            5,
            two,
            5,
            two));
    for (int threads : new int[] {1, 8, 32}) {
      groups.add(
          new Group(
              "counters, " + threads + " threads, six ways",
              counters(ALL_WAYS),
              List.of(p("rows", "1", "10", "10000"), p("flushInterval", "1s")),
              threads,
              // the spread experiment: the transactional ways climb for 20-40 s on 2 cores
              4,
              TimeValue.seconds(5),
              5,
              two));
    }
    groups.add(flush(List.of("1", "2", "4"), 3));
    groups.addAll(spread());
    return new Plan("full", groups);
  }

  /**
   * One {@code flush()} of a 100,000-row backlog with {@code flushThreads} partitions at once:
   * single shots, one warm-up and {@code measurements} measured.
   */
  static Group flush(List<String> flushThreads, int measurements) {
    List<String> values = new ArrayList<>(flushThreads);
    values.add(0, "flushThreads");
    return new Group(
        "flush, 100,000 pending rows, flush_threads " + String.join(", ", flushThreads),
        "dev.coalesce.benchmarks.buffer.FlushBacklogBenchmark.flush$",
        List.of(p("rows", "100000"), values.toArray(String[]::new)),
        1,
        1,
        TimeValue.seconds(1),
        measurements,
        TimeValue.seconds(1));
  }

  /**
   * The spread experiment: the buffered way on 10 hot rows from 32 threads, with the background
   * flush every second or (in effect) never during the run, and with 1 s or 5 s iterations.
   */
  static List<Group> spread() {
    List<Group> groups = new ArrayList<>();
    for (TimeValue iteration : new TimeValue[] {TimeValue.seconds(1), TimeValue.seconds(5)}) {
      groups.add(
          new Group(
              "spread: buffered, " + iteration + " iterations, flush every 1s or 1h",
              counters("buffered"),
              List.of(p("rows", "10"), p("flushInterval", "1s", "1h")),
              32,
              2,
              TimeValue.seconds(1),
              8,
              iteration));
    }
    return groups;
  }
}
