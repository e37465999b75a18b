package dev.coalesce.samples.tracker.simulate;

import dev.coalesce.samples.tracker.simulate.SimulationOptions.Mode;
import dev.coalesce.samples.tracker.simulate.SimulationResult.PageCost;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The summary table: one column per run, so {@code --compare} shows both side by side. */
public final class SummaryTable {

  private SummaryTable() {}

  public static String render(List<SimulationResult> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        row(results, "", r -> r.options().mode() == Mode.PLAIN ? "plain Hibernate" : "Coalesce"));
    rows.add(null);
    rows.add(row(results, "events sent (committed)", r -> count(r.eventsSent())));
    rows.add(row(results, "failed transactions", r -> count(r.failedEvents())));
    rows.add(
        row(
            results,
            "elapsed",
            r -> String.format(Locale.ROOT, "%.1f s", r.elapsed().toMillis() / 1000.0)));
    rows.add(row(results, "events/s", r -> count(Math.round(r.eventsPerSecond()))));
    rows.add(
        row(
            results,
            "Redis round trips per event",
            r ->
                r.loadRoundTrips() < 0
                    ? "- (no Redis)"
                    : String.format(
                        Locale.ROOT,
                        "%.2f",
                        (double) r.loadRoundTrips() / Math.max(1, r.eventsSent()))));
    rows.add(row(results, "SQL row updates of times_seen", r -> count(r.counterRowUpdates())));
    rows.add(
        row(
            results,
            "events per counter row update",
            r ->
                r.counterRowUpdates() == 0
                    ? "-"
                    : String.format(
                        Locale.ROOT, "%.1f", (double) r.eventsSent() / r.counterRowUpdates())));
    rows.add(
        row(
            results,
            "buffer flushes",
            r -> r.flushes() < 0 ? "- (no buffer)" : count(r.flushes())));
    rows.add(
        row(
            results,
            "other issue UPDATEs (status, last seen)",
            r -> r.otherIssueUpdates() < 0 ? "(in the above)" : count(r.otherIssueUpdates())));
    rows.add(null);
    rows.add(row(results, "stream pages rendered during load", r -> count(r.pagesDuringLoad())));
    rows.add(row(results, "page after flush: hits/misses/SQL", r -> cache(r.pageAfterFlush())));
    rows.add(row(results, "page after flush: Redis round trips", r -> trips(r.pageAfterFlush())));
    rows.add(row(results, "page, warm: hits/misses/SQL", r -> cache(r.pageWarm())));
    rows.add(row(results, "page, warm: Redis round trips", r -> trips(r.pageWarm())));
    rows.add(null);
    rows.add(row(results, "database total of times_seen", r -> count(r.databaseTotal())));
    rows.add(
        row(
            results,
            "lost increments",
            r ->
                String.format(
                    Locale.ROOT,
                    "%s (%.1f%%)",
                    count(r.lostIncrements()),
                    r.eventsSent() == 0 ? 0.0 : 100.0 * r.lostIncrements() / r.eventsSent())));
    rows.add(row(results, "issues with a wrong count", r -> count(r.wrongIssues())));
    rows.add(
        row(
            results,
            "hottest issue: in database / sent",
            r ->
                String.format(
                    Locale.ROOT,
                    "%s / %s (%.1f%% lost)",
                    count(r.hottestIssueInDatabase()),
                    count(r.hottestIssueSent()),
                    r.hottestIssueSent() == 0
                        ? 0.0
                        : 100.0
                            * (r.hottestIssueSent() - r.hottestIssueInDatabase())
                            / r.hottestIssueSent())));
    rows.add(
        row(results, "final check: database = events sent", r -> r.passed() ? "PASS" : "FAIL"));

    int[] widths = new int[results.size() + 1];
    for (String[] row : rows) {
      if (row != null) {
        for (int c = 0; c < row.length; c++) {
          widths[c] = Math.max(widths[c], row[c].length());
        }
      }
    }
    StringBuilder out = new StringBuilder();
    String rule = rule(widths);
    out.append(rule);
    for (String[] row : rows) {
      if (row == null) {
        out.append(rule);
        continue;
      }
      out.append("|");
      for (int c = 0; c < row.length; c++) {
        String cell = row[c];
        String padded =
            c == 0
                ? cell + " ".repeat(widths[c] - cell.length())
                : " ".repeat(widths[c] - cell.length()) + cell;
        out.append(' ').append(padded).append(" |");
      }
      out.append('\n');
    }
    out.append(rule);
    return out.toString();
  }

  private static String[] row(
      List<SimulationResult> results, String label, Function<SimulationResult, String> cell) {
    String[] row = new String[results.size() + 1];
    row[0] = label;
    for (int i = 0; i < results.size(); i++) {
      row[i + 1] = cell.apply(results.get(i));
    }
    return row;
  }

  private static String rule(int[] widths) {
    StringBuilder rule = new StringBuilder("+");
    for (int width : widths) {
      rule.append("-".repeat(width + 2)).append('+');
    }
    return rule.append('\n').toString();
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  private static String cache(PageCost cost) {
    return cost.cacheHits() + " / " + cost.cacheMisses() + " / " + cost.sqlStatements();
  }

  private static String trips(PageCost cost) {
    return cost.redisRoundTrips() < 0 ? "- (no Redis)" : count(cost.redisRoundTrips());
  }
}
