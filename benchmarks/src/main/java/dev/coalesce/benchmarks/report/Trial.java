package dev.coalesce.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One JMH trial (a benchmark, its parameters and threads) with what {@code CallMeter} saw. */
final class Trial implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  String group;
  String benchmark; // method name: findMultiple, buffered, jpql...
  Map<String, String> params = new LinkedHashMap<>();
  int threads;
  String unit;
  double score;
  double error; // JMH's 99.9% confidence half-width
  double median;
  double min;
  double max;
  double stdev;
  List<Double> iterationScores = new ArrayList<>();

  // from the side file
  long calls;
  long redisExecuted;
  Map<String, Long> redisExecutedByCommand = new TreeMap<>();
  long wireCalls;
  long wireCommands;
  Map<String, Long> wireByCommand = new TreeMap<>();
  long sql;
  List<Long> gcMillisPerIteration = new ArrayList<>();
  List<Long> flushesPerIteration = new ArrayList<>();
  long attempted = -1;
  long landed = -1;
  String loadAverage = "";

  String param(String name) {
    return params.getOrDefault(name, "");
  }

  /** The cache of a multi-get trial, or the way of a counter trial. */
  String way() {
    return benchmark.equals("findMultiple") ? param("cache") : benchmark;
  }

  boolean isMultiget() {
    return benchmark.equals("findMultiple");
  }

  /** One {@code flush()} of a backlog ({@code FlushBacklogBenchmark}), not an increment. */
  boolean isFlush() {
    return benchmark.equals("flush");
  }

  /** Rows per second of a flush trial: the backlog's rows over the mean time of one flush (ms). */
  double flushRowsPerSecond() {
    return Double.parseDouble(param("rows")) / (score / 1000.0);
  }

  double redisExecutedPerCall() {
    return calls == 0 ? Double.NaN : (double) redisExecuted / calls;
  }

  double wirePerCall() {
    return wireCalls == 0 ? Double.NaN : (double) wireCommands / wireCalls;
  }

  double sqlPerCall() {
    return calls == 0 ? Double.NaN : (double) sql / calls;
  }

  /** Share of attempted increments that the database (or Redis, for raw Redis) holds. */
  double landedShare() {
    return attempted <= 0 ? Double.NaN : Math.min(1.0, (double) landed / attempted);
  }

  double landedPerSecond() {
    return score * landedShare();
  }

  String breakdown(Map<String, Long> byCommand, long perCalls) {
    if (perCalls == 0 || byCommand.isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    byCommand.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(4)
        .forEach(
            e ->
                text.append(text.length() == 0 ? "" : ", ")
                    .append(Report.number((double) e.getValue() / perCalls))
                    .append(' ')
                    .append(e.getKey().toUpperCase(java.util.Locale.ROOT)));
    return text.toString();
  }
}
