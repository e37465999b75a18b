package dev.coalesce.buffer.internal;

import dev.coalesce.redis.internal.Outage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which failures of a recurring task (the background flush, one partition's flush) repeat the one
 * logged before, so that a persistent problem (a lock held for minutes, a missing privilege, a
 * broken row) is one WARN line with its stack trace rather than one every flush interval: the first
 * failure of a run is new, its repeats (the same exception class and first line) are not, and a
 * success ends the run. Outages of the database or the store are not counted here: their {@link
 * Outage} logs each once. Safe for the partition workers of one flush.
 */
final class RepeatedFailures {

  private final Map<Object, Run> runs = new ConcurrentHashMap<>();

  /** A run of one failure: what it was, and how often it happened. */
  private record Run(String failure, long count) {}

  /**
   * Records a failure of {@code task}.
   *
   * @return true if it starts a run (log it in full), false if it repeats the last one
   */
  boolean isNew(Object task, Throwable e) {
    String failure = e.getClass().getName() + ": " + Outage.firstLine(e);
    Run run =
        runs.compute(
            task,
            (key, last) ->
                last != null && last.failure().equals(failure)
                    ? new Run(failure, last.count() + 1)
                    : new Run(failure, 1));
    return run.count() == 1;
  }

  /**
   * Records a success of {@code task}.
   *
   * @return how many times it had failed in a row before, 0 if it had not
   */
  long succeeded(Object task) {
    Run ended = runs.remove(task);
    return ended == null ? 0 : ended.count();
  }
}
