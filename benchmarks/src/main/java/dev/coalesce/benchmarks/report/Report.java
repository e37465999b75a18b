package dev.coalesce.benchmarks.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/** Writes a pass's trials as Markdown, CSV and charts. */
final class Report {

  static final List<String> CACHES = List.of("coalesce", "redisson", "jcache", "none");
  static final List<String> STATES = List.of("warm", "half", "cold");
  static final List<String> WAYS =
      List.of(
          "buffered",
          "bufferedDirect",
          "plainEntity",
          "jpql",
          "redisHincrby",
          "redisHincrbyPipelined");

  private final String pass;
  private final String stem;
  private final List<Trial> trials;
  private final List<String> failures;
  private final Duration wall;
  private final String arguments;

  Report(
      String pass,
      String stem,
      List<Trial> trials,
      List<String> failures,
      Duration wall,
      String arguments) {
    this.pass = pass;
    this.stem = stem;
    this.trials = trials;
    this.failures = failures;
    this.wall = wall;
    this.arguments = arguments;
  }

  static String number(double value) {
    if (Double.isNaN(value)) {
      return "-";
    }
    double abs = Math.abs(value);
    if (abs >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    if (abs >= 1) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }

  void writeTo(Path dir) throws IOException {
    List<String> charts = Charts.write(dir, stem, trials);
    Files.writeString(dir.resolve(stem + ".md"), markdown(charts));
    Files.writeString(dir.resolve(stem + ".csv"), csv());
  }

  // ---------------------------------------------------------------- lookups

  private List<Trial> multiget() {
    List<Trial> list = new ArrayList<>(trials.stream().filter(Trial::isMultiget).toList());
    list.sort(
        Comparator.comparingInt((Trial t) -> Integer.parseInt(t.param("n")))
            .thenComparingInt(t -> STATES.indexOf(t.param("state")))
            .thenComparingInt(t -> CACHES.indexOf(t.param("cache"))));
    return list;
  }

  private List<Trial> counters(boolean spread) {
    List<Trial> list =
        new ArrayList<>(
            trials.stream()
                .filter(
                    t -> !t.isMultiget() && !t.isFlush() && t.group.startsWith("spread") == spread)
                .toList());
    list.sort(
        Comparator.comparingInt((Trial t) -> t.threads)
            .thenComparingInt(t -> Integer.parseInt(t.param("rows")))
            .thenComparingInt(t -> WAYS.indexOf(t.benchmark))
            .thenComparing(t -> t.param("flushInterval")));
    return list;
  }

  private Optional<Trial> find(Predicate<Trial> predicate) {
    return trials.stream().filter(t -> !t.group.startsWith("spread")).filter(predicate).findFirst();
  }

  private Optional<Trial> multiget(String cache, String state, int n) {
    return find(
        t ->
            t.isMultiget()
                && t.param("cache").equals(cache)
                && (cache.equals("none") || t.param("state").equals(state))
                && t.param("n").equals(Integer.toString(n)));
  }

  private Optional<Trial> counter(String way, int threads, int rows) {
    return find(
        t ->
            t.benchmark.equals(way)
                && t.threads == threads
                && t.param("rows").equals(Integer.toString(rows)));
  }

  // ---------------------------------------------------------------- markdown

  private String markdown(List<String> charts) {
    StringBuilder md = new StringBuilder();
    md.append("# Coalesce benchmarks, ")
        .append(stem)
        .append(" (")
        .append(pass)
        .append(" pass)\n\n");
    md.append(
            "Command: `java -cp benchmarks/target/benchmarks.jar dev.coalesce.benchmarks.report.Compare")
        .append(arguments.isEmpty() ? "" : " " + arguments)
        .append("`. ")
        .append(trials.size())
        .append(" JMH trials, one fork each, in ")
        .append(String.format("%d min %02d s", wall.toMinutes(), wall.toSecondsPart()))
        .append(". Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, Java ")
        .append(System.getProperty("java.version"))
        .append(", ")
        .append(ManagementFactory.getOperatingSystemMXBean().getName())
        .append("; one-minute load average at the end of the counter trials: ")
        .append(loadRange())
        .append(" (the machine is shared: compare figures only within this run).\n\n");
    md.append(
        "Redis is a `redis-server` of each trial's own. **Redis on the wire** is what clients sent"
            + " per call (Redis `MONITOR` during the last warm-up iteration, commands run inside"
            + " Lua scripts left out); **Redis executed** is `INFO commandstats` over the measured"
            + " iterations (script-internal commands included, background work such as the"
            + " buffer's flush and clock sync amortised in); **SQL** is Hibernate's prepared"
            + " statements per call. Times are JMH means with JMH's 99.9% interval; the"
            + " iteration median and range are beside them.\n\n");
    for (String failure : failures) {
      md.append("**Failed:** ").append(failure).append("\n\n");
    }
    ratios(md);
    for (String chart : charts) {
      md.append("![").append(chart).append("](").append(chart).append(")\n\n");
    }
    multigetTable(md);
    counterTable(md, counters(false), "Counters");
    flushTable(md);
    List<Trial> spread = counters(true);
    if (!spread.isEmpty()) {
      counterTable(md, spread, "Spread experiment (buffered, 10 rows, 32 threads)");
    }
    spreadSection(md);
    return md.toString();
  }

  private List<Trial> flushes() {
    List<Trial> list = new ArrayList<>(trials.stream().filter(Trial::isFlush).toList());
    list.sort(Comparator.comparingInt(t -> Integer.parseInt(t.param("flushThreads"))));
    return list;
  }

  private void flushTable(StringBuilder md) {
    List<Trial> list = flushes();
    if (list.isEmpty()) {
      return;
    }
    md.append("## Flush of a backlog\n\n");
    md.append(
        "`FlushBacklogBenchmark`: one `CounterBuffer.flush()` of a pending delta on each of `rows`"
            + " rows (pushed to Redis before each flush, outside the time), with `flush_threads`"
            + " partitions applied at once; single-shot times, and the database's sum checked"
            + " after the trial.\n\n");
    md.append("| rows | flush_threads | ms per flush | median [min, max] | rows/s |\n");
    md.append("|---:|---:|---:|---|---:|\n");
    for (Trial t : list) {
      md.append("| ")
          .append(number(Double.parseDouble(t.param("rows"))))
          .append(" | ")
          .append(t.param("flushThreads"))
          .append(" | ")
          .append(number(t.score))
          .append(" | ")
          .append(medianAndRange(t))
          .append(" | ")
          .append(number(t.flushRowsPerSecond()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private String loadRange() {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (Trial t : trials) {
      if (!t.loadAverage.isEmpty()) {
        double v = Double.parseDouble(t.loadAverage);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    return hi == 0 ? "not recorded" : number(lo) + " to " + number(hi);
  }

  private void ratios(StringBuilder md) {
    md.append("## Ratios (issue 13's table)\n\n");
    md.append("| what | ratio | from |\n|---|---|---|\n");
    for (int n : new int[] {100, 10, 1000, 1}) {
      Optional<Trial> none = multiget("none", "warm", n);
      for (String state : STATES) {
        Optional<Trial> ours = multiget("coalesce", state, n);
        if (ours.isEmpty()) {
          continue;
        }
        none.ifPresent(
            db ->
                md.append(
                    speed(
                        state + " `findMultiple(" + n + ")` vs the database alone",
                        ours.get(),
                        db)));
        multiget("redisson", state, n)
            .ifPresent(
                r ->
                    md.append(
                        speed(
                            state + " `findMultiple(" + n + ")` vs Redisson's region",
                            ours.get(),
                            r)));
        multiget("jcache", state, n)
            .ifPresent(
                j ->
                    md.append(
                        speed(
                            state
                                + " `findMultiple("
                                + n
                                + ")` vs in-JVM JCache (Ehcache, by value)",
                            ours.get(),
                            j)));
      }
    }
    for (int threads : new int[] {32, 8, 1}) {
      for (int rows : new int[] {10, 1, 10000}) {
        String where = rows + " rows, " + threads + " threads";
        Optional<Trial> direct = counter("bufferedDirect", threads, rows);
        Optional<Trial> entity = counter("buffered", threads, rows);
        Optional<Trial> jpql = counter("jpql", threads, rows);
        Optional<Trial> plain = counter("plainEntity", threads, rows);
        Optional<Trial> raw = counter("redisHincrby", threads, rows);
        Optional<Trial> pipelined = counter("redisHincrbyPipelined", threads, rows);
        direct.ifPresent(
            d -> {
              raw.ifPresent(
                  r ->
                      md.append(
                          landed("`CounterBuffer.increment` vs raw `HINCRBY`, " + where, d, r)));
              pipelined.ifPresent(
                  r ->
                      md.append(
                          landed(
                              "`CounterBuffer.increment` vs raw `HINCRBY` pipelined by 16, "
                                  + where,
                              d,
                              r)));
              jpql.ifPresent(
                  j ->
                      md.append(
                          landed(
                              "`CounterBuffer.increment` vs JPQL `views = views + 1`, " + where,
                              d,
                              j)));
            });
        entity.ifPresent(
            e -> {
              plain.ifPresent(
                  p ->
                      md.append(
                          landed(
                              "entity path (`find`, `+1`, commit) vs plain Hibernate, landed, "
                                  + where,
                              e,
                              p)));
              jpql.ifPresent(
                  j ->
                      md.append(landed("entity path vs JPQL `views = views + 1`, " + where, e, j)));
            });
      }
    }
    for (Trial flush : flushes()) {
      md.append("| one `flush()` of ")
          .append(number(Double.parseDouble(flush.param("rows"))))
          .append(" pending rows, `flush_threads` = ")
          .append(flush.param("flushThreads"))
          .append(" | ")
          .append(number(flush.flushRowsPerSecond()))
          .append(" rows/s | ")
          .append(number(flush.score))
          .append(" ms per flush |\n");
    }
    md.append('\n');
  }

  /** A trial's iteration median and range: {@code median [min, max]}. */
  private static String medianAndRange(Trial t) {
    return number(t.median) + " [" + number(t.min) + ", " + number(t.max) + "]";
  }

  /** Multi-get: times per call, so "x faster" is theirs over ours. */
  private static String speed(String what, Trial ours, Trial theirs) {
    double ratio = theirs.score / ours.score;
    double medians = theirs.median / ours.median;
    String text = ratio >= 1 ? number(ratio) + "x faster" : number(1 / ratio) + "x slower";
    return "| "
        + what
        + " | "
        + text
        + " (medians: "
        + number(medians)
        + ") | "
        + number(ours.score)
        + " vs "
        + number(theirs.score)
        + " us/call |\n";
  }

  /** Counters: landed increments per second, ours over theirs. */
  private static String landed(String what, Trial ours, Trial theirs) {
    double ratio = ours.landedPerSecond() / theirs.landedPerSecond();
    return "| "
        + what
        + " | "
        + number(ratio)
        + "x | "
        + number(ours.landedPerSecond())
        + " vs "
        + number(theirs.landedPerSecond())
        + " landed/s |\n";
  }

  private void multigetTable(StringBuilder md) {
    List<Trial> list = multiget();
    if (list.isEmpty()) {
      return;
    }
    md.append("## Multi-get: `session.findMultiple(CachedPost.class, ids)` in a transaction\n\n");
    md.append(
        "10,000 rows of 10 columns in PostgreSQL, every cache `READ_WRITE`. `none` is the"
            + " second-level cache off (the database alone), the same whatever the state.\n\n");
    md.append(
        "| N | state | cache | us/call | ± 99.9% | median [min, max] | Redis on the wire /call | Redis executed /call | SQL /call |\n");
    md.append("|---:|---|---|---:|---:|---|---|---|---:|\n");
    for (Trial t : list) {
      md.append("| ")
          .append(t.param("n"))
          .append(" | ")
          .append(t.param("cache").equals("none") ? "-" : t.param("state"))
          .append(" | ")
          .append(t.param("cache"))
          .append(" | ")
          .append(number(t.score))
          .append(" | ")
          .append(number(t.error))
          .append(" | ")
          .append(medianAndRange(t))
          .append(" | ")
          .append(redisCell(t.wirePerCall(), t.breakdown(t.wireByCommand, t.wireCalls)))
          .append(" | ")
          .append(
              redisCell(t.redisExecutedPerCall(), t.breakdown(t.redisExecutedByCommand, t.calls)))
          .append(" | ")
          .append(number(t.sqlPerCall()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static String redisCell(double perCall, String breakdown) {
    if (Double.isNaN(perCall)) {
      return "-";
    }
    return number(perCall) + (breakdown.isEmpty() ? "" : " (" + breakdown + ")");
  }

  private void counterTable(StringBuilder md, List<Trial> list, String title) {
    if (list.isEmpty()) {
      return;
    }
    md.append("## ").append(title).append("\n\n");
    md.append(
        "One increment per call on a random one of `rows` rows from `T` threads. attempted/s"
            + " is JMH's score; landed is the share the database holds at the end of the trial (after"
            + " a final flush for the buffered ways; for raw Redis, the share Redis holds).\n\n");
    md.append(
        "| T | rows | way | flush | attempted/s | ± 99.9% | median [min, max] | landed | landed/s | Redis on the wire /call | Redis executed /call | SQL /call | GC ms /iteration | flush transactions /iteration |\n");
    md.append("|---:|---:|---|---|---:|---:|---|---:|---:|---|---|---:|---|---|\n");
    for (Trial t : list) {
      boolean buffered = t.benchmark.startsWith("buffered");
      md.append("| ")
          .append(t.threads)
          .append(" | ")
          .append(t.param("rows"))
          .append(" | ")
          .append(t.benchmark)
          .append(" | ")
          .append(buffered ? t.param("flushInterval") : "-")
          .append(" | ")
          .append(number(t.score))
          .append(" | ")
          .append(number(t.error))
          .append(" | ")
          .append(medianAndRange(t))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f%%", 100 * t.landedShare()))
          .append(" | ")
          .append(number(t.landedPerSecond()))
          .append(" | ")
          .append(redisCell(t.wirePerCall(), t.breakdown(t.wireByCommand, t.wireCalls)))
          .append(" | ")
          .append(
              redisCell(t.redisExecutedPerCall(), t.breakdown(t.redisExecutedByCommand, t.calls)))
          .append(" | ")
          .append(number(t.sqlPerCall()))
          .append(" | ")
          .append(t.gcMillisPerIteration)
          .append(" | ")
          .append(buffered ? t.flushesPerIteration.toString() : "-")
          .append(" |\n");
    }
    md.append('\n');
  }

  /** What the buffered figures' spread comes from: per-iteration scores beside GC and flushes. */
  private void spreadSection(StringBuilder md) {
    List<Trial> buffered = trials.stream().filter(t -> t.benchmark.startsWith("buffered")).toList();
    if (buffered.isEmpty()) {
      return;
    }
    md.append("## Spread of the buffered figures\n\n");
    md.append(
        "Per trial: the iterations' coefficient of variation (stdev / mean), JMH's 99.9%"
            + " half-width over the mean, the Student t factor behind it (n - 1 degrees of freedom),"
            + " and the correlation across iterations of the score with GC time and with the number"
            + " of background flushes in that iteration.\n\n");
    md.append(
        "| group | T | rows | way | flush | iterations | CV | ±99.9% / mean | t | corr(score, GC ms) | corr(score, flushes) | scores |\n");
    md.append("|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (Trial t : buffered) {
      int n = t.iterationScores.size();
      double t999 =
          n > 1
              ? new org.apache.commons.math3.distribution.TDistribution(n - 1)
                  .inverseCumulativeProbability(0.9995)
              : Double.NaN;
      md.append("| ")
          .append(t.group)
          .append(" | ")
          .append(t.threads)
          .append(" | ")
          .append(t.param("rows"))
          .append(" | ")
          .append(t.benchmark)
          .append(" | ")
          .append(t.param("flushInterval"))
          .append(" | ")
          .append(n)
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f%%", 100 * t.stdev / t.score))
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f%%", 100 * t.error / t.score))
          .append(" | ")
          .append(number(t999))
          .append(" | ")
          .append(number(correlation(t.iterationScores, t.gcMillisPerIteration)))
          .append(" | ")
          .append(number(correlation(t.iterationScores, t.flushesPerIteration)))
          .append(" | ")
          .append(t.iterationScores.stream().map(Report::number).toList())
          .append(" |\n");
    }
    md.append('\n');
  }

  static double correlation(List<Double> xs, List<Long> ys) {
    int n = Math.min(xs.size(), ys.size());
    if (n < 3) {
      return Double.NaN;
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += xs.get(i);
      my += ys.get(i);
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = xs.get(i) - mx;
      double dy = ys.get(i) - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
  }

  // ---------------------------------------------------------------- csv

  private String csv() {
    StringBuilder csv = new StringBuilder();
    csv.append(
        "group,benchmark,way,n,state,rows,threads,flush_interval,unit,score,error_999,median,min,max,"
            + "iterations,redis_wire_per_call,redis_wire_by_command,redis_executed_per_call,redis_executed_by_command,"
            + "sql_per_call,attempted,landed,landed_share,landed_per_s,gc_ms_per_iteration,flushes_per_iteration,load_average,flush_threads\n");
    for (Trial t : trials) {
      csv.append(quote(t.group))
          .append(',')
          .append(t.benchmark)
          .append(',')
          .append(t.way())
          .append(',')
          .append(t.param("n"))
          .append(',')
          .append(t.param("state"))
          .append(',')
          .append(t.param("rows"))
          .append(',')
          .append(t.threads)
          .append(',')
          .append(t.param("flushInterval"))
          .append(',')
          .append(t.unit)
          .append(',')
          .append(plain(t.score))
          .append(',')
          .append(plain(t.error))
          .append(',')
          .append(plain(t.median))
          .append(',')
          .append(plain(t.min))
          .append(',')
          .append(plain(t.max))
          .append(',')
          .append(quote(t.iterationScores.stream().map(Report::plain).toList().toString()))
          .append(',')
          .append(plain(t.wirePerCall()))
          .append(',')
          .append(quote(t.breakdown(t.wireByCommand, t.wireCalls)))
          .append(',')
          .append(plain(t.redisExecutedPerCall()))
          .append(',')
          .append(quote(t.breakdown(t.redisExecutedByCommand, t.calls)))
          .append(',')
          .append(plain(t.sqlPerCall()))
          .append(',')
          .append(t.attempted < 0 ? "" : Long.toString(t.attempted))
          .append(',')
          .append(t.landed < 0 ? "" : Long.toString(t.landed))
          .append(',')
          .append(plain(t.landedShare()))
          .append(',')
          .append(plain(t.landedPerSecond()))
          .append(',')
          .append(quote(t.gcMillisPerIteration.toString()))
          .append(',')
          .append(quote(t.flushesPerIteration.toString()))
          .append(',')
          .append(t.loadAverage)
          .append(',')
          .append(t.param("flushThreads"))
          .append('\n');
    }
    return csv.toString();
  }

  private static String plain(double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.4f", value);
  }

  private static String quote(String text) {
    return '"' + text.replace("\"", "\"\"") + '"';
  }
}
