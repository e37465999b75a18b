package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferStats;
import dev.coalesce.redis.internal.metrics.Meters;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Counts what this node's buffer did, for {@link BufferStats}, and publishes the same counts as
 * meters ({@code coalesce.buffer.*}, through {@link Meters}: nothing when Micrometer is absent).
 */
final class StatsRecorder {

  private final LongAdder incrementsAccepted = new LongAdder();
  private final LongAdder deltasPushed = new LongAdder();
  private final LongAdder directFallbacks = new LongAdder();
  private final LongAdder pushesRetried = new LongAdder();
  private final LongAdder pushesSettledByStore = new LongAdder();
  private final LongAdder queueOverflows = new LongAdder();
  private final LongAdder deltasDropped = new LongAdder();
  private final LongAdder rowsFlushed = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder rowsFailed = new LongAdder();

  private final Meters meters;
  private final Consumer<Boolean> redisOutcome;
  private final Meters.Count incrementsMeter;
  private final Meters.Count deltasPushedMeter;
  private final Meters.Count fallbacksMeter;
  private final Meters.Count pushesRetriedMeter;
  private final Meters.Count pushesSettledMeter;
  private final Meters.Count queueOverflowsMeter;
  private final Meters.Count droppedMeter;
  private final Meters.Count rowsFlushedMeter;
  private final Meters.Count rowsFailedMeter;
  private final Meters.Timing flushSuccess;
  private final Meters.Timing flushFailure;
  private final Meters.Timing commitWait;

  /** Seconds; NaN until read, or while the store cannot be reached. */
  private volatile double pendingAgeSeconds = Double.NaN;

  /**
   * @param meters where the meters go
   * @param redisOutcome told the outcome of each command to the store, when it is Redis (for {@code
   *     coalesce.redis.available})
   */
  public StatsRecorder(Meters meters, Consumer<Boolean> redisOutcome) {
    this.meters = meters;
    this.redisOutcome = redisOutcome;
    incrementsMeter =
        meters.counter("coalesce.buffer.increments", "Counter increments committed", "increments");
    deltasPushedMeter =
        meters.counter("coalesce.buffer.deltas.pushed", "Deltas that reached the store", "deltas");
    fallbacksMeter =
        meters.counter(
            "coalesce.buffer.fallbacks",
            "Transactions whose deltas went straight to the database",
            "transactions");
    pushesRetriedMeter =
        meters.counter(
            "coalesce.buffer.pushes.retried",
            "Pushes sent again after an ambiguous failure",
            "pushes");
    pushesSettledMeter =
        meters.counter(
            "coalesce.buffer.pushes.settled",
            "Retried pushes the store answered it had applied before",
            "pushes");
    queueOverflowsMeter =
        meters.counter(
            "coalesce.buffer.queue.overflows",
            "Commits that found the push queue full and went to the database",
            "commits");
    droppedMeter =
        meters.counter(
            "coalesce.buffer.deltas.dropped",
            "Committed deltas given up, each logged at ERROR; should stay 0",
            "deltas");
    rowsFlushedMeter =
        meters.counter("coalesce.buffer.rows.flushed", "Rows updated by flushes", "rows");
    rowsFailedMeter =
        meters.counter(
            "coalesce.buffer.rows.failed", "Rows set aside in coalesce_buffer_failed", "rows");
    flushSuccess =
        meters.timer("coalesce.buffer.flush", "One flush transaction", "result", "success");
    flushFailure =
        meters.timer("coalesce.buffer.flush", "One flush transaction", "result", "failure");
    commitWait =
        meters.timer(
            "coalesce.buffer.commit.wait",
            "Time a committing thread waited for its push to reach the store (at most"
                + " push_timeout)");
  }

  /**
   * Registers the gauges {@code coalesce.buffer.deltas.queued} and {@code
   * coalesce.buffer.pending.age} (read from {@link #pendingAgeRead}, never from the store).
   */
  public void bindGauges(LongSupplier deltasQueued) {
    meters.gauge(
        "coalesce.buffer.deltas.queued",
        "Deltas committed and waiting in this JVM for the store",
        "deltas",
        deltasQueued::getAsLong);
    meters.gauge(
        "coalesce.buffer.pending.age",
        "Age of the oldest delta not yet in the database, read every flush interval",
        "seconds",
        () -> pendingAgeSeconds);
  }

  /** Whether meters are published at all: the background read of the pending age is for them. */
  public boolean publishesMeters() {
    return meters != Meters.NONE;
  }

  /** The age of the oldest pending delta, read by the background schedule; null: unreachable. */
  public void pendingAgeRead(Duration age) {
    pendingAgeSeconds = age == null ? Double.NaN : age.toNanos() / 1e9;
    storeAnswered(age != null);
  }

  /** The outcome of a command to the store, for {@code coalesce.redis.available}. */
  public void storeAnswered(boolean answered) {
    redisOutcome.accept(answered);
  }

  /** A transaction with {@code increments} counter changes committed. */
  public void accepted(long increments) {
    incrementsAccepted.add(increments);
    incrementsMeter.add(increments);
  }

  /** {@code deltas} (row, attribute) deltas reached the store. */
  public void pushed(int deltas) {
    deltasPushed.add(deltas);
    deltasPushedMeter.add(deltas);
    storeAnswered(true);
  }

  /** The deltas of {@code transactions} committed transactions went straight to the database. */
  public void directFallback(int transactions) {
    directFallbacks.add(transactions);
    fallbacksMeter.add(transactions);
  }

  /** A push failed ambiguously and is sent again. */
  public void pushRetried() {
    pushesRetried.increment();
    pushesRetriedMeter.add(1);
  }

  /** A push sent again was found applied by the store: an earlier attempt had reached it. */
  public void pushSettledByStore() {
    pushesSettledByStore.increment();
    pushesSettledMeter.add(1);
  }

  /** A commit found the push queue full; its deltas went to the database. */
  public void queueOverflow() {
    queueOverflows.increment();
    queueOverflowsMeter.add(1);
  }

  /** {@code deltas} committed deltas given up, each logged at ERROR. */
  public void dropped(int deltas) {
    deltasDropped.add(deltas);
    droppedMeter.add(deltas);
  }

  /** One claim was applied by a flush transaction. */
  void claimApplied() {
    flushes.increment();
  }

  /** A committed flush transaction updated {@code rows} rows. */
  void rowsFlushed(long rows) {
    rowsFlushed.add(rows);
    rowsFlushedMeter.add(rows);
  }

  /** A committed transaction set aside the deltas of {@code rows} rows. */
  void rowsFailed(int rows) {
    rowsFailed.add(rows);
    rowsFailedMeter.add(rows);
  }

  /** A committing thread waited {@code nanos} for its push (it returns at the push timeout). */
  void commitWaited(long nanos) {
    commitWait.record(nanos);
  }

  /** One flush transaction ended, committed or rolled back ({@code success}), or failed. */
  void flushTransaction(long nanos, boolean success) {
    (success ? flushSuccess : flushFailure).record(nanos);
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
