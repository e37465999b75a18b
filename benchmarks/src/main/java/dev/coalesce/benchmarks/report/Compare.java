package dev.coalesce.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs a pass of the comparison benchmarks and writes {@code <date>.md}, {@code <date>.csv} and PNG
 * charts into the results directory.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.coalesce.benchmarks.report.Compare [--full]
 *     [--spread] [--out benchmarks/results]
 * </pre>
 *
 * The quick pass (default) runs a subset with short iterations; {@code --full} runs the whole
 * matrix and the spread experiment; {@code --spread} runs only the spread experiment. JMH's own
 * output goes to {@code <date>-jmh/} beside the results (not committed).
 */
public final class Compare {

  private Compare() {}

  public static void main(String[] args) throws IOException, RunnerException {
    Plan plan = Plan.quick();
    Path out = Path.of("benchmarks/results");
    if (!Files.isDirectory(out.getParent() == null ? Path.of(".") : out.getParent())) {
      out = Path.of("results");
    }
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--full" -> plan = Plan.full();
        case "--smoke" -> plan = Plan.smoke();
        case "--render" -> {
          render(Path.of(args[++i]));
          return;
        }
        case "--spread" -> plan = new Plan("spread", Plan.spread());
        case "--out" -> out = Path.of(args[++i]);
        default -> {
          System.err.println(
              "Unknown argument " + args[i] + ": use --full, --spread, --smoke, --out DIR");
          System.exit(2);
        }
      }
    }
    Files.createDirectories(out);
    String stem = LocalDate.now() + (plan.name().equals("quick") ? "" : "-" + plan.name());
    Path logs = out.resolve(stem + "-jmh");
    Files.createDirectories(logs);
    int total = plan.groups().stream().mapToInt(Plan.Group::trials).sum();
    System.out.printf(
        "Coalesce benchmarks, %s pass: %d JMH trials in %d groups; JMH's output goes to %s%n",
        plan.name(), total, plan.groups().size(), logs);
    Instant started = Instant.now();
    List<Trial> trials = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int done = 0;
    for (int g = 0; g < plan.groups().size(); g++) {
      Plan.Group group = plan.groups().get(g);
      Path extras = Files.createTempFile("coalesce-bench-extras", ".tsv");
      System.out.printf(
          "[%3d/%d] %s (%s elapsed)%n", done + 1, total, group.title(), elapsed(started));
      ChainedOptionsBuilder options =
          group
              .applyTo(new OptionsBuilder())
              .shouldFailOnError(false)
              .output(logs.resolve("group-" + (g + 1) + ".log").toString())
              .jvmArgsAppend(
                  "-Dcoalesce.bench.extras=" + extras, "-Xmx1g", "-Djava.awt.headless=true");
      for (String property :
          List.of(
              "coalesce.jdbc.url",
              "coalesce.jdbc.user",
              "coalesce.jdbc.password",
              "coalesce.redis.server")) {
        if (System.getProperty(property) != null) {
          options.jvmArgsAppend("-D" + property + "=" + System.getProperty(property));
        }
      }
      Collection<RunResult> results = new Runner(options.build()).run();
      Map<String, List<String[]>> side = SideFile.read(extras);
      Files.delete(extras);
      for (RunResult result : results) {
        trials.add(toTrial(group.title(), result, side));
      }
      if (results.size() < group.trials()) {
        String missing =
            (group.trials() - results.size())
                + " of "
                + group.trials()
                + " trials of \""
                + group.title()
                + "\" failed: see "
                + logs.resolve("group-" + (g + 1) + ".log");
        System.out.println("  " + missing);
        failures.add(missing);
      }
      done += group.trials();
    }
    Duration wall = Duration.between(started, Instant.now());
    try (java.io.ObjectOutputStream saved =
        new java.io.ObjectOutputStream(Files.newOutputStream(logs.resolve("trials.bin")))) {
      saved.writeObject(new ArrayList<>(trials));
      saved.writeObject(new ArrayList<>(failures));
      saved.writeObject(wall);
    }
    System.out.printf("All %d trials done in %s%n", total, elapsed(started));
    Report report = new Report(plan.name(), stem, trials, failures, wall, String.join(" ", args));
    report.writeTo(out);
    System.out.println("Wrote " + out.resolve(stem + ".md") + ", .csv and charts");
  }

  /** Writes the report again from a pass's saved trials ({@code <dir>/<stem>-jmh/trials.bin}). */
  @SuppressWarnings("unchecked")
  private static void render(Path saved) throws IOException {
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(Files.newInputStream(saved))) {
      List<Trial> trials = (List<Trial>) in.readObject();
      List<String> failures = (List<String>) in.readObject();
      Duration wall = (Duration) in.readObject();
      String dirName = saved.getParent().getFileName().toString();
      String stem = dirName.substring(0, dirName.length() - "-jmh".length());
      String pass = stem.length() > 10 ? stem.substring(11) : "quick";
      String arguments = pass.equals("quick") ? "" : "--" + pass;
      new Report(pass, stem, trials, failures, wall, arguments)
          .writeTo(saved.getParent().getParent());
    } catch (ClassNotFoundException e) {
      throw new IOException("Cannot read " + saved, e);
    }
  }

  private static String elapsed(Instant started) {
    Duration d = Duration.between(started, Instant.now());
    return String.format("%d:%02d", d.toMinutes(), d.toSecondsPart());
  }

  private static Trial toTrial(String group, RunResult result, Map<String, List<String[]>> side) {
    BenchmarkParams params = result.getParams();
    Trial trial = new Trial();
    trial.group = group;
    String benchmark = params.getBenchmark();
    trial.benchmark = benchmark.substring(benchmark.lastIndexOf('.') + 1);
    for (String name : new java.util.TreeSet<>(params.getParamsKeys())) {
      trial.params.put(name, params.getParam(name));
    }
    trial.threads = params.getThreads();
    trial.unit = result.getPrimaryResult().getScoreUnit();
    Statistics stats = result.getPrimaryResult().getStatistics();
    trial.score = stats.getMean();
    trial.error = stats.getN() > 1 ? stats.getMeanErrorAt(0.999) : Double.NaN;
    trial.median = stats.getPercentile(50);
    trial.min = stats.getMin();
    trial.max = stats.getMax();
    trial.stdev = stats.getN() > 1 ? stats.getStandardDeviation() : 0;
    result
        .getBenchmarkResults()
        .forEach(
            b -> {
              for (IterationResult iteration : b.getIterationResults()) {
                trial.iterationScores.add(iteration.getPrimaryResult().getScore());
              }
            });
    String key = SideFile.key(params);
    for (String[] line : side.getOrDefault(key, List.of())) {
      switch (line[0]) {
        case "iter" -> {
          trial.calls += Long.parseLong(line[3]);
          trial.redisExecuted += Long.parseLong(line[5]);
          trial.sql += Long.parseLong(line[6]);
          trial.gcMillisPerIteration.add(Long.parseLong(line[7]));
          trial.flushesPerIteration.add(Long.parseLong(line[8]));
          SideFile.addCounts(trial.redisExecutedByCommand, line.length > 9 ? line[9] : "");
        }
        case "wire" -> {
          trial.wireCalls = Long.parseLong(line[2]);
          trial.wireCommands = Long.parseLong(line[3]);
          SideFile.addCounts(trial.wireByCommand, line.length > 4 ? line[4] : "");
        }
        case "trial" -> {
          trial.attempted = Long.parseLong(line[2]);
          trial.landed = Long.parseLong(line[3]);
          trial.loadAverage = line.length > 4 ? line[4] : "";
        }
        default -> throw new IllegalStateException("Unknown side-file line " + line[0]);
      }
    }
    return trial;
  }
}
