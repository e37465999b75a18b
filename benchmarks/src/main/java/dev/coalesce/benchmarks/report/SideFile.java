package dev.coalesce.benchmarks.report;

import dev.coalesce.benchmarks.support.CallMeter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;

/** Reads what {@link CallMeter} wrote, grouped by trial key. */
final class SideFile {

  private SideFile() {}

  static Map<String, List<String[]>> read(Path file) throws IOException {
    Map<String, List<String[]>> byKey = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      byKey.computeIfAbsent(fields[1], k -> new ArrayList<>()).add(fields);
    }
    return byKey;
  }

  static String key(BenchmarkParams params) {
    return CallMeter.key(params);
  }

  static void addCounts(Map<String, Long> into, String breakdown) {
    if (breakdown.isBlank()) {
      return;
    }
    for (String pair : breakdown.split(" ")) {
      int eq = pair.lastIndexOf('=');
      into.merge(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)), Long::sum);
    }
  }
}
