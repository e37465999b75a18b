package dev.coalesce.benchmarks.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** PNG charts (XChart) of the main comparisons; returns the file names written. */
final class Charts {

  private Charts() {}

  static List<String> write(Path dir, String stem, List<Trial> trials) throws IOException {
    List<Trial> main = trials.stream().filter(t -> !t.group.startsWith("spread")).toList();
    List<String> written = new ArrayList<>();
    multigetByState(dir, stem, main, written);
    multigetByN(dir, stem, main, written);
    counters(dir, stem, main, written);
    return written;
  }

  /** N = 100 (or the largest N measured in every state): us per call by state and cache. */
  private static void multigetByState(Path dir, String stem, List<Trial> trials, List<String> out)
      throws IOException {
    int n = 100;
    List<String> states = new ArrayList<>();
    for (String state : Report.STATES) {
      if (find(trials, "coalesce", state, n).isPresent()) {
        states.add(state);
      }
    }
    if (states.isEmpty()) {
      return;
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(900)
            .height(500)
            .title("findMultiple(" + n + "): microseconds per call (log scale, lower is better)")
            .xAxisTitle("what the cache holds when the call starts")
            .yAxisTitle("us per call")
            .build();
    style(chart.getStyler());
    chart.getStyler().setYAxisLogarithmic(true);
    chart
        .getStyler()
        .setYAxisMin(
            floor(
                trials.stream()
                    .filter(Trial::isMultiget)
                    .filter(t -> t.param("n").equals(Integer.toString(n)))
                    .map(t -> t.score)
                    .toList()));
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    for (String cache : Report.CACHES) {
      List<Double> values = new ArrayList<>();
      for (String state : states) {
        values.add(find(trials, cache, state, n).map(t -> positive(t.score)).orElse(null));
      }
      if (values.stream().allMatch(v -> v == null)) {
        continue;
      }
      chart.addSeries(label(cache), states, values);
    }
    String name = stem + "-multiget-n" + n + ".png";
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    out.add(name);
  }

  /** us per call against N, one line per cache and state measured at two N or more. */
  private static void multigetByN(Path dir, String stem, List<Trial> trials, List<String> out)
      throws IOException {
    Map<String, List<Trial>> lines = new LinkedHashMap<>();
    for (String cache : Report.CACHES) {
      for (String state : Report.STATES) {
        List<Trial> line =
            trials.stream()
                .filter(Trial::isMultiget)
                .filter(t -> t.param("cache").equals(cache))
                .filter(t -> cache.equals("none") || t.param("state").equals(state))
                .sorted((a, b) -> Integer.parseInt(a.param("n")) - Integer.parseInt(b.param("n")))
                .toList();
        if (line.size() >= 2 && (!cache.equals("none") || state.equals("warm"))) {
          lines.put(cache.equals("none") ? label(cache) : label(cache) + ", " + state, line);
        }
      }
    }
    if (lines.isEmpty()) {
      return;
    }
    XYChart chart =
        new XYChartBuilder()
            .width(1150)
            .height(520)
            .title("findMultiple(N): microseconds per call (log-log, lower is better)")
            .xAxisTitle("N ids per call")
            .yAxisTitle("us per call")
            .build();
    style(chart.getStyler());
    sideLegend(chart.getStyler());
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    lines.forEach(
        (label, line) ->
            chart.addSeries(
                label,
                line.stream().map(t -> Double.parseDouble(t.param("n"))).toList(),
                line.stream().map(t -> t.score).toList()));
    String name = stem + "-multiget-by-n.png";
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    out.add(name);
  }

  /** Landed increments per second by way, one series per (threads, rows) measured. */
  private static void counters(Path dir, String stem, List<Trial> trials, List<String> out)
      throws IOException {
    List<Trial> counters = trials.stream().filter(t -> !t.isMultiget() && !t.isFlush()).toList();
    if (counters.isEmpty()) {
      return;
    }
    List<String> ways =
        Report.WAYS.stream()
            .filter(w -> counters.stream().anyMatch(t -> t.benchmark.equals(w)))
            .toList();
    Map<String, Map<String, Double>> series = new LinkedHashMap<>();
    counters.stream()
        .sorted(
            (a, b) ->
                a.threads != b.threads
                    ? a.threads - b.threads
                    : Integer.parseInt(a.param("rows")) - Integer.parseInt(b.param("rows")))
        .forEach(
            t ->
                series
                    .computeIfAbsent(
                        t.threads
                            + (t.threads == 1 ? " thread, " : " threads, ")
                            + t.param("rows")
                            + (t.param("rows").equals("1") ? " row" : " rows"),
                        k -> new LinkedHashMap<>())
                    .put(t.benchmark, t.landedPerSecond()));
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(1150)
            .height(520)
            .title("Counters: increments landed per second (log scale, higher is better)")
            .xAxisTitle("way")
            .yAxisTitle("landed increments / s")
            .build();
    style(chart.getStyler());
    sideLegend(chart.getStyler());
    chart.getStyler().setYAxisLogarithmic(true);
    chart
        .getStyler()
        .setYAxisMin(floor(series.values().stream().flatMap(m -> m.values().stream()).toList()));
    series.forEach(
        (label, byWay) -> {
          List<Double> values = new ArrayList<>();
          for (String way : ways) {
            values.add(positive(byWay.getOrDefault(way, Double.NaN)));
          }
          chart.addSeries(label, ways, values);
        });
    String name = stem + "-counters.png";
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
    out.add(name);
  }

  /** The power of ten below the smallest positive value: where a logarithmic axis starts. */
  private static double floor(List<Double> values) {
    double min =
        values.stream().filter(v -> v != null && v > 0).mapToDouble(v -> v).min().orElse(1);
    return Math.pow(10, Math.floor(Math.log10(min)));
  }

  /** A value a logarithmic axis can show, or null (no bar). */
  private static Double positive(double value) {
    return Double.isNaN(value) || value <= 0 ? null : value;
  }

  /** Many series: their legend goes to the right, one per line (below, it ran off the image). */
  private static void sideLegend(org.knowm.xchart.style.AxesChartStyler styler) {
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setLegendLayout(Styler.LegendLayout.Vertical);
  }

  private static void style(org.knowm.xchart.style.AxesChartStyler styler) {
    styler.setYAxisDecimalPattern("#,##0");
    styler.setLegendPosition(Styler.LegendPosition.OutsideS);
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setChartBackgroundColor(java.awt.Color.WHITE);
  }

  private static String label(String cache) {
    return switch (cache) {
      case "coalesce" -> "Coalesce multiget";
      case "redisson" -> "Redisson region";
      case "jcache" -> "in-JVM JCache (Ehcache)";
      case "none" -> "database alone";
      default -> cache;
    };
  }

  private static Optional<Trial> find(List<Trial> trials, String cache, String state, int n) {
    return trials.stream()
        .filter(Trial::isMultiget)
        .filter(t -> t.param("cache").equals(cache))
        .filter(t -> cache.equals("none") || t.param("state").equals(state))
        .filter(t -> t.param("n").equals(Integer.toString(n)))
        .findFirst();
  }
}
