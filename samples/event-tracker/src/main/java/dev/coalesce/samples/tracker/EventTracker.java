package dev.coalesce.samples.tracker;

import dev.coalesce.samples.tracker.simulate.ProgressDisplay;
import dev.coalesce.samples.tracker.simulate.Simulation;
import dev.coalesce.samples.tracker.simulate.SimulationOptions;
import dev.coalesce.samples.tracker.simulate.SimulationOptions.Mode;
import dev.coalesce.samples.tracker.simulate.SimulationResult;
import dev.coalesce.samples.tracker.simulate.SummaryTable;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The event tracker's command line: {@code simulate [flags]}. Exit status 0 when every run's final
 * check passed (the database holds exactly the events sent), 1 when one did not, 2 for bad
 * arguments, 3 when a service could not be reached or the run failed.
 */
public final class EventTracker {

  private EventTracker() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, ProgressDisplay.ofThisJvm()));
  }

  /**
   * Runs the command, printing on {@code out} (the progress bar as {@link ProgressDisplay#LINES}),
   * and returns the exit status.
   */
  public static int run(String[] args, PrintStream out) {
    return run(args, out, ProgressDisplay.LINES);
  }

  /** Runs the command, printing on {@code out}, and returns the exit status. */
  public static int run(String[] args, PrintStream out, ProgressDisplay progressDisplay) {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("help"))) {
      out.print(SimulationOptions.USAGE);
      return 0;
    }
    String[] flags = args;
    if (args.length > 0 && !args[0].startsWith("--")) {
      if (!args[0].equals("simulate")) {
        out.println("unknown command '" + args[0] + "'");
        out.print(SimulationOptions.USAGE);
        return 2;
      }
      flags = Arrays.copyOfRange(args, 1, args.length);
    }
    SimulationOptions options;
    try {
      options = SimulationOptions.parse(flags, System.getenv());
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      return 2;
    }
    List<Mode> modes =
        options.mode() == Mode.COMPARE
            ? List.of(Mode.PLAIN, Mode.COALESCE)
            : List.of(options.mode());
    out.printf(
        Locale.ROOT,
        "%,d events over %,d issues in %d projects from %d threads, Zipf skew %.2f, seed %d%n"
            + "on %s%n",
        options.events(),
        options.issues(),
        options.projects(),
        options.threads(),
        options.skew(),
        options.seed(),
        options.services());
    List<SimulationResult> results = new ArrayList<>();
    try {
      for (Mode mode : modes) {
        results.add(
            new Simulation(options.withMode(mode), out, progressDisplay, Clock.systemUTC()).run());
      }
    } catch (RuntimeException e) {
      out.println("simulate could not run: " + e.getMessage());
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        out.println("  caused by " + cause);
      }
      return 3;
    }
    SimulationResult last = results.get(results.size() - 1);
    out.println();
    out.print(last.streamPage());
    out.println();
    out.print(last.issuePage());
    out.println();
    out.print(SummaryTable.render(results));
    boolean passed = true;
    for (SimulationResult result : results) {
      if (!result.firstErrors().isEmpty()) {
        out.println("first failures (" + result.options().mode() + "):");
        result.firstErrors().forEach(error -> out.println("  " + error));
      }
      if (!result.passed()) {
        passed = false;
        out.printf(
            Locale.ROOT,
            "%s: the database holds %,d increments for %,d events sent: %,d lost.%n",
            result.options().mode() == Mode.PLAIN ? "plain Hibernate" : "Coalesce",
            result.databaseTotal(),
            result.eventsSent(),
            result.lostIncrements());
      }
    }
    return passed ? 0 : 1;
  }
}
