package dev.coalesce.buffer.flush;

import dev.coalesce.buffer.BufferStats;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** Counts what this node's buffer did, for {@link BufferStats}. */
public final class StatsRecorder {

  private final LongAdder incrementsAccepted = new LongAdder();
  private final LongAdder deltasPushed = new LongAdder();
  private final LongAdder directFallbacks = new LongAdder();
  final LongAdder rowsFlushed = new LongAdder();
  final LongAdder flushes = new LongAdder();
  final LongAdder rowsFailed = new LongAdder();

  /** A transaction with {@code increments} counter changes committed. */
  public void accepted(long increments) {
    incrementsAccepted.add(increments);
  }

  /** {@code deltas} (row, attribute) deltas reached the store. */
  public void pushed(int deltas) {
    deltasPushed.add(deltas);
  }

  /** A transaction's deltas went straight to the database. */
  public void directFallback() {
    directFallbacks.increment();
  }

  public BufferStats snapshot(Duration oldestPendingAge) {
    return new BufferStats(
        incrementsAccepted.sum(),
        deltasPushed.sum(),
        rowsFlushed.sum(),
        flushes.sum(),
        rowsFailed.sum(),
        directFallbacks.sum(),
        oldestPendingAge);
  }
}
