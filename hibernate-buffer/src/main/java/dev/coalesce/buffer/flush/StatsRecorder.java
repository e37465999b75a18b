package dev.coalesce.buffer.flush;

import dev.coalesce.buffer.BufferStats;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/** Counts what this node's buffer did, for {@link BufferStats}. */
public final class StatsRecorder {

  private final LongAdder incrementsAccepted = new LongAdder();
  private final LongAdder deltasPushed = new LongAdder();
  private final LongAdder directFallbacks = new LongAdder();
  private final LongAdder pushesRetried = new LongAdder();
  private final LongAdder pushesSettledByStore = new LongAdder();
  private final LongAdder queueOverflows = new LongAdder();
  private final LongAdder deltasDropped = new LongAdder();
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

  /** The deltas of {@code transactions} committed transactions went straight to the database. */
  public void directFallback(int transactions) {
    directFallbacks.add(transactions);
  }

  /** A push failed ambiguously and is sent again. */
  public void pushRetried() {
    pushesRetried.increment();
  }

  /** A push sent again was found applied by the store: an earlier attempt had reached it. */
  public void pushSettledByStore() {
    pushesSettledByStore.increment();
  }

  /** A commit found the push queue full; its deltas went to the database. */
  public void queueOverflow() {
    queueOverflows.increment();
  }

  /** {@code deltas} committed deltas given up, each logged at ERROR. */
  public void dropped(int deltas) {
    deltasDropped.add(deltas);
  }

  /**
   * @param deltasQueued deltas committed and waiting in this JVM for the store right now
   */
  public BufferStats snapshot(long deltasQueued, Duration oldestPendingAge) {
    return new BufferStats(
        incrementsAccepted.sum(),
        deltasPushed.sum(),
        rowsFlushed.sum(),
        flushes.sum(),
        rowsFailed.sum(),
        directFallbacks.sum(),
        pushesRetried.sum(),
        pushesSettledByStore.sum(),
        deltasQueued,
        queueOverflows.sum(),
        deltasDropped.sum(),
        oldestPendingAge);
  }
}
