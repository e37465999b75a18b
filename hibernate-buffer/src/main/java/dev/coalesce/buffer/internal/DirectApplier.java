package dev.coalesce.buffer.internal;

import dev.coalesce.redis.internal.Outage;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Applies committed deltas that never went to the store straight to the database, on a thread of
 * its own, many commits in one transaction. Never on the committing thread: that thread still holds
 * its own connection while its transaction completes, so taking a second one there could exhaust
 * the pool. Deltas whose transaction fails are kept and tried again: a database outage is logged
 * once, by the buffer's database {@link Outage}, any other failure at each retry.
 */
final class DirectApplier {

  private static final Logger LOG = Logger.getLogger(DirectApplier.class);
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String factoryName;
  private final Pusher.DirectApply direct;
  private final StatsRecorder stats;
  private final ScheduledExecutorService executor;
  private final Outage database;
  private final ConcurrentLinkedQueue<Map<CounterKey, Long>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedDeltas = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  DirectApplier(
      String factoryName,
      Pusher.DirectApply direct,
      StatsRecorder stats,
      ScheduledExecutorService executor,
      Outage database) {
    this.factoryName = factoryName;
    this.database = database;
    this.direct = direct;
    this.stats = stats;
    this.executor = executor;
  }

  /** Queues the deltas of one committed transaction; returns at once. */
  void submit(Map<CounterKey, Long> deltas) {
    queuedDeltas.addAndGet(deltas.size());
    queue.add(deltas);
    schedule(0);
  }

  /** Deltas waiting to be applied. */
  int queuedDeltas() {
    return queuedDeltas.get();
  }

  private void schedule(long delayNanos) {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        executor.schedule(this::drain, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false); // closed: close() applies what is left
      }
    }
  }

  private void drain() {
    drainScheduled.set(false);
    try {
      applyQueued();
    } catch (RuntimeException e) {
      // an outage is logged once by the database's Outage, not every second
      if (!DatabaseUnreachable.reportTo(
          database, "applying committed counter deltas of a full push queue", e)) {
        LOG.warnf(
            "SessionFactory '%s': applying %d committed counter deltas to the database failed"
                + " (%s); they are kept and retried every second. Check the database",
            factoryName, queuedDeltas.get(), e.toString());
      }
      schedule(RETRY_NANOS);
    }
  }

  /** Applies what is queued in one transaction; what fails is queued again and rethrown. */
  private void applyQueued() {
    Map<CounterKey, Long> summed = new HashMap<>();
    int transactions = 0;
    int size = 0;
    for (Map<CounterKey, Long> deltas = queue.poll(); deltas != null; deltas = queue.poll()) {
      deltas.forEach((key, delta) -> summed.merge(key, delta, Long::sum));
      transactions++;
      size += deltas.size();
    }
    if (transactions == 0) {
      return;
    }
    summed.values().removeIf(delta -> delta == 0);
    try {
      if (!summed.isEmpty()) {
        direct.apply(summed);
        database.succeeded();
      }
    } catch (RuntimeException e) {
      queue.add(summed); // one entry for what were many: the count below stays true
      queuedDeltas.addAndGet(summed.size() - size);
      throw e;
    }
    queuedDeltas.addAndGet(-size);
    stats.directFallback(transactions);
  }

  /**
   * Applies what is queued, then stops the thread; what the database does not take by {@code
   * timeout} is dropped, logged at ERROR with its deltas.
   */
  void close(Duration timeout) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      applyQueued();
    } catch (RuntimeException e) {
      Map<CounterKey, Long> left = new HashMap<>();
      for (Map<CounterKey, Long> deltas = queue.poll(); deltas != null; deltas = queue.poll()) {
        deltas.forEach((key, delta) -> left.merge(key, delta, Long::sum));
      }
      stats.dropped(left.size());
      LOG.errorf(
          e,
          "SessionFactory '%s': committed counter deltas were NOT applied: the database failed"
              + " while the buffer closed (cause below); add them to their rows by hand: %s",
          factoryName,
          left);
    }
  }
}
