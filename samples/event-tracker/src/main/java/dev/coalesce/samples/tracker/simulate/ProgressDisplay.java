package dev.coalesce.samples.tracker.simulate;

import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.Duration;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * How the load's progress bar is shown: redrawn in place on a terminal, or as a new line every few
 * seconds where carriage returns would pile up into one long line (CI, a log file, a pipe, a test).
 */
public enum ProgressDisplay {
  /** A terminal: one line, redrawn four times a second. */
  REDRAWN(Duration.ofMillis(250)),
  /** No terminal: a line every 5 seconds, plus one at the start and one at the end. */
  LINES(Duration.ofSeconds(5));

  private static final int MAX_WIDTH = 110;

  private final Duration updateInterval;

  ProgressDisplay(Duration updateInterval) {
    this.updateInterval = updateInterval;
  }

  /** How often the bar is printed (while the count moves). */
  public Duration updateInterval() {
    return updateInterval;
  }

  /**
   * {@link #REDRAWN} when this JVM has a terminal ({@code System.console()}), else {@link #LINES}.
   */
  public static ProgressDisplay ofThisJvm() {
    return System.console() == null ? LINES : REDRAWN;
  }

  /** A started bar counting to {@code max}, printed on {@code out}; close it when done. */
  ProgressBar start(String task, long max, PrintStream out) {
    ProgressBarConsumer consumer =
        this == REDRAWN
            ? new ConsoleProgressBarConsumer(out, MAX_WIDTH)
            : new DelegatingProgressBarConsumer(new NewLinesOnly(out), MAX_WIDTH);
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis((int) updateInterval.toMillis())
        .setConsumer(consumer)
        .showSpeed(new DecimalFormat("#,##0"))
        .build();
  }

  /** Prints a line unless it repeats the previous one (the bar's last tick and its close). */
  private static final class NewLinesOnly implements Consumer<String> {
    private final PrintStream out;
    private String previous;

    NewLinesOnly(PrintStream out) {
      this.out = out;
    }

    @Override
    public synchronized void accept(String line) {
      if (!line.equals(previous)) {
        out.println(line);
        previous = line;
      }
    }
  }
}
