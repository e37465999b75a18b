package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.redis.internal.Outage;
import dev.coalesce.redis.internal.RedisOutage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Takes the deltas of committed transactions from the application's threads to the store, one push
 * at a time, on a thread of its own.
 *
 * <p>Specification:
 *
 * <ul>
 *   <li><b>Group commit.</b> Whatever committed while the previous push was out goes in the next
 *       push, summed per counter: one round trip for many transactions.
 *   <li><b>Exactly once.</b> Pushes are numbered per node and sent one at a time; a push whose
 *       attempt failed ambiguously (a timeout, a connection broken after writing, a cluster batch
 *       half applied) is sent again under its number, with backoff, until the store answers; the
 *       store applies a number once ({@link DeltaStore#push}). The next push waits until then.
 *   <li><b>Direct to the database</b> only what provably never reached the store: a push whose
 *       every attempt failed for want of a connection ({@link StoreUnreachableException}), and
 *       commits that find the queue full ({@code maxQueuedDeltas}; one commit larger than that goes
 *       to the store when nothing else waits), applied on a thread of their own ({@link
 *       DirectApplier}), many commits in one transaction.
 *   <li><b>Bounded wait.</b> A committing thread waits at most {@code pushTimeout} for its push;
 *       while a push is in trouble, committing threads do not wait at all: their deltas wait in the
 *       queue (lost if this JVM dies before they are pushed).
 *   <li><b>Never silent loss.</b> A push still in doubt after {@link #GIVE_UP_AFTER} (the store
 *       forgets push numbers after {@link
 *       dev.coalesce.buffer.internal.RedisDeltaStore#NODE_MARKER_TTL}), a push the store refuses
 *       because it lost its data since, or deltas that neither the store nor the database took:
 *       each is logged at ERROR with its deltas and counted as dropped.
 * </ul>
 *
 * <p>Over our usual 250 lines: one state machine (queue, group commit, numbered retries, overflow,
 * close) whose states share fields; split, each part would need the others' locks.
 */
final class Pusher {

  private static final Logger LOG = Logger.getLogger(Pusher.class);

  /** How long a push in doubt is retried: well inside the time the store remembers its number. */
  static final Duration GIVE_UP_AFTER = Duration.ofHours(23);

  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** Test-only fault point: runs after the store applied a push, before its reply is handled. */
  static volatile Runnable afterStoreApplied;

  /** Applies deltas straight to the database, in a transaction of its own. */
  @FunctionalInterface
  public interface DirectApply {
    void apply(Map<CounterKey, Long> deltas);
  }

  private final String factoryName;
  private final DeltaStore store;
  private final DirectApply direct;
  private final StatsRecorder stats;
  private final Duration pushTimeout;
  private final int maxQueuedDeltas;
  private final ScheduledExecutorService executor;
  private final DirectApplier overflow;
  private final LongSupplier nanoTime;
  private final String node = UUID.randomUUID().toString();

  private final ConcurrentLinkedQueue<Commit> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedDeltas = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean overflowing = new AtomicBoolean();
  private final CompletableFuture<Void> drainedAfterClose = new CompletableFuture<>();
  private volatile boolean stalled;
  private volatile boolean closed;

  // touched by the pusher thread only
  private Batch current;
  private long nextSeq = 1;
  private int failedAttempts;
  private long retryAtNanos;
  private final RedisOutage outage;
  private final Outage database;

  /**
   * @param factoryName the SessionFactory's name, which every WARN and ERROR line names
   * @param executor a single thread, for this pusher alone; shut down by {@link #close}
   * @param overflowExecutor a single thread that applies commits finding the queue full to the
   *     database; shut down by {@link #close}
   * @param nanoTime the clock of backoff and give-up
   * @param outage the buffer's view of the store's reachability, shared with the flusher: logs an
   *     outage once when it starts and once when it ends
   * @param database the buffer's view of the database's reachability, shared with the flusher:
   *     direct applies that cannot reach it report to it instead of logging each retry
   */
  public Pusher(
      String factoryName,
      DeltaStore store,
      DirectApply direct,
      StatsRecorder stats,
      Duration pushTimeout,
      int maxQueuedDeltas,
      ScheduledExecutorService executor,
      ScheduledExecutorService overflowExecutor,
      LongSupplier nanoTime,
      RedisOutage outage,
      Outage database) {
    this.factoryName = factoryName;
    this.outage = outage;
    this.database = database;
    this.store = store;
    this.direct = direct;
    this.stats = stats;
    this.pushTimeout = pushTimeout;
    this.maxQueuedDeltas = maxQueuedDeltas;
    this.executor = executor;
    this.overflow = new DirectApplier(factoryName, direct, stats, overflowExecutor, database);
    this.nanoTime = nanoTime;
  }

  /** One committed transaction's deltas, and whether they are settled. */
  private record Commit(Map<CounterKey, Long> deltas, CompletableFuture<Void> settled) {}

  /** A push and the commits it carries. */
  private static final class Batch {
    Push push;
    final List<Commit> commits;
    final long firstSentNanos;
    boolean maybeSent;

    Batch(Push push, List<Commit> commits, long firstSentNanos) {
      this.push = push;
      this.commits = commits;
      this.firstSentNanos = firstSentNanos;
    }
  }

  /**
   * Hands over the deltas of a committed transaction; returns once they are in the store, or after
   * at most the push timeout, or at once while the store is in trouble. Never throws: the
   * transaction is committed, and failing now would tell the caller it was not.
   */
  public void committed(Map<CounterKey, Long> deltas) {
    int size = deltas.size();
    if (closed) {
      applyOnThisThread(deltas, "the counter buffer is closing");
      return;
    }
    int queued = queuedDeltas.addAndGet(size);
    // a commit larger than the whole bound still goes to the store when nothing else waits
    if (queued > maxQueuedDeltas && queued > size) {
      queuedDeltas.addAndGet(-size);
      stats.queueOverflow();
      if (overflowing.compareAndSet(false, true)) {
        LOG.warnf(
            "SessionFactory '%s': counter push queue full (%d deltas waiting for the store):"
                + " committed deltas go straight to the database until it drains. Check the store"
                + " (an outage is logged on its own), or raise %s if commits come faster than"
                + " pushes",
            factoryName, maxQueuedDeltas, BufferSettings.MAX_QUEUED_DELTAS);
      }
      overflow.submit(deltas);
      return;
    }
    // read before the push starts: its own trouble must not cut short the wait it began with
    boolean wait = !stalled;
    Commit commit = new Commit(deltas, new CompletableFuture<>());
    queue.add(commit);
    scheduleDrain(0);
    if (!wait) {
      return;
    }
    long waitStarted = nanoTime.getAsLong();
    try {
      commit.settled().get(pushTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // later commits do not wait until a push succeeds again
      stalled = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("A push never completes exceptionally", e);
    } finally {
      stats.commitWaited(nanoTime.getAsLong() - waitStarted);
    }
  }

  /** Deltas committed and not yet in the store or the database: the JVM-crash window. */
  public int queuedDeltas() {
    return queuedDeltas.get() + overflow.queuedDeltas();
  }

  /** After close only, when no session of the factory holds a connection any more. */
  private void applyOnThisThread(Map<CounterKey, Long> deltas, String why) {
    try {
      direct.apply(deltas);
      stats.directFallback(1);
    } catch (RuntimeException e) {
      stats.dropped(deltas.size());
      LOG.errorf(
          e,
          "SessionFactory '%s': committed counter deltas were NOT applied (%s, and the database"
              + " failed too, cause below); add them to their rows by hand: %s",
          factoryName,
          why,
          deltas);
    }
  }

  private void scheduleDrain(long delayNanos) {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        executor.schedule(this::drain, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        drainScheduled.set(false); // closed: close() settles what is left
      }
    }
  }

  private void drain() {
    drainScheduled.set(false);
    try {
      while (true) {
        if (current == null) {
          current = nextBatch();
          if (current == null) {
            if (closed && queue.isEmpty()) {
              drainedAfterClose.complete(null);
            }
            return;
          }
        }
        long wait = retryAtNanos - nanoTime.getAsLong();
        if (wait > 0) {
          scheduleDrain(wait);
          return;
        }
        if (!attempt(current)) {
          failedAttempts++;
          long backoff =
              Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(failedAttempts - 1, 20));
          retryAtNanos = nanoTime.getAsLong() + backoff;
          scheduleDrain(backoff);
          return;
        }
        current = null;
        failedAttempts = 0;
        retryAtNanos = 0;
      }
    } catch (Throwable e) {
      // the schedule must go on: what is queued waits for the next drain
      LOG.errorf(
          e,
          "SessionFactory '%s': the counter pusher failed unexpectedly; what is queued waits and"
              + " is pushed again in %d s. Report this with the stack trace below",
          factoryName,
          TimeUnit.NANOSECONDS.toSeconds(MAX_BACKOFF_NANOS));
      scheduleDrain(MAX_BACKOFF_NANOS);
    }
  }

  private Batch nextBatch() {
    List<Commit> commits = new ArrayList<>();
    Map<CounterKey, Long> summed = new HashMap<>();
    for (Commit commit = queue.poll(); commit != null; commit = queue.poll()) {
      commits.add(commit);
      commit.deltas().forEach((key, delta) -> summed.merge(key, delta, Long::sum));
    }
    if (commits.isEmpty()) {
      return null;
    }
    summed.values().removeIf(delta -> delta == 0);
    return new Batch(new Push(node, nextSeq++, summed, false), commits, nanoTime.getAsLong());
  }

  /** One attempt at settling {@code batch}; false to retry it later. */
  private boolean attempt(Batch batch) {
    PushReply reply;
    try {
      reply = store.push(batch.push);
      Runnable fault = afterStoreApplied;
      if (fault != null) {
        fault.run();
      }
    } catch (StoreUnreachableException e) {
      if (batch.maybeSent) {
        return false; // an earlier attempt may have reached the store: only it can settle this
      }
      storeTrouble(e);
      try {
        direct.apply(batch.push.deltas());
      } catch (RuntimeException databaseFailure) {
        // an outage is logged once, with what waits, not once per retry
        if (!DatabaseUnreachable.reportTo(
            database,
            "applying committed counter deltas that never reached the store",
            databaseFailure)) {
          // not an outage: a problem of these rows or this transaction (a lock, a timeout, a
          // permission), which the operator must see; retried with the push's backoff
          LOG.warnf(
              "SessionFactory '%s': applying committed counter deltas that never reached the store"
                  + " to the database failed (%s: %s); they wait in memory and are retried. If"
                  + " this repeats, fix the cause (a lock, a statement timeout, the table's"
                  + " permissions)",
              factoryName,
              databaseFailure.getClass().getSimpleName(),
              Outage.firstLine(databaseFailure));
        }
        return false;
      }
      database.succeeded();
      stats.directFallback(batch.commits.size());
      settle(batch);
      return true;
    } catch (RuntimeException e) {
      if (!batch.maybeSent) {
        batch.maybeSent = true;
        batch.push = batch.push.asRetry();
        stats.pushRetried();
      }
      storeTrouble(e);
      if (nanoTime.getAsLong() - batch.firstSentNanos > GIVE_UP_AFTER.toNanos()) {
        drop(batch.push.deltas(), "still in doubt after " + GIVE_UP_AFTER);
        settle(batch);
        return true;
      }
      return false;
    }
    outage.succeeded();
    if (batch.maybeSent && reply.partitionsAlreadyApplied() > 0) {
      stats.pushSettledByStore();
    }
    if (!reply.lost().isEmpty()) {
      drop(reply.lost(), "the store lost its data since this push was first sent");
    }
    stats.pushed(batch.push.deltas().size() - reply.lost().size());
    settle(batch);
    return true;
  }

  private void storeTrouble(RuntimeException e) {
    stats.storeAnswered(false);
    stalled = true;
    outage.failed("pushing counter deltas", e);
  }

  private void drop(Map<CounterKey, Long> deltas, String why) {
    stats.dropped(deltas.size());
    LOG.errorf(
        "SessionFactory '%s': committed counter deltas dropped (%s): they may or may not be in"
            + " the database; check each counter against its source and correct it by hand: %s",
        factoryName, why, deltas);
  }

  private void settle(Batch batch) {
    int size = 0;
    for (Commit commit : batch.commits) {
      size += commit.deltas().size();
    }
    // counted out before the committers wake: a commit that returned is no longer "queued"
    queuedDeltas.addAndGet(-size);
    stalled = false;
    if (queuedDeltas.get() < maxQueuedDeltas / 2) {
      overflowing.set(false);
    }
    for (Commit commit : batch.commits) {
      commit.settled().complete(null);
    }
  }

  /**
   * Pushes what is queued, waiting at most {@code timeout}; then stops the pusher thread. What is
   * left goes to the database if it provably never reached the store, and is dropped (logged at
   * ERROR, counted) if it is in doubt. Later commits go straight to the database.
   */
  public void close(Duration timeout) {
    closed = true;
    overflow.close(timeout);
    scheduleDrain(0);
    try {
      drainedAfterClose.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      LOG.warnf(
          "SessionFactory '%s': counter pushes not settled within %s; settling what is left now"
              + " (what never reached the store goes to the database, what is in doubt is dropped"
              + " and logged). Raise %s if closing needs longer",
          factoryName, timeout, BufferSettings.SHUTDOWN_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Draining never completes exceptionally", e);
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        LOG.errorf(
            "SessionFactory '%s': the counter pusher thread did not stop within %s; %d committed"
                + " deltas are left with it and are lost if it never pushes them. Check a thread"
                + " dump for coalesce-buffer-pusher, and the counters against their source",
            factoryName, timeout, queuedDeltas.get());
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    // the pusher thread is gone: what it left is ours
    if (current != null) {
      if (current.maybeSent) {
        drop(current.push.deltas(), "in doubt when the counter buffer closed");
      } else {
        applyOnThisThread(current.push.deltas(), "the counter buffer is closing");
      }
      settle(current);
      current = null;
    }
    for (Commit commit = queue.poll(); commit != null; commit = queue.poll()) {
      applyOnThisThread(commit.deltas(), "the counter buffer is closing");
      queuedDeltas.addAndGet(-commit.deltas().size());
      commit.settled().complete(null);
    }
  }
}
