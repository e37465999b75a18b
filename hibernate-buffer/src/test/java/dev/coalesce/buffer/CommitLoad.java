package dev.coalesce.buffer;

import static org.awaitility.Awaitility.await;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Application threads committing counter increments until stopped, keeping what each was told: an
 * increment is committed when {@code commit()} returned, in doubt when {@code commit()} threw (the
 * database may or may not hold the transaction). Half the increments go through the entity ({@code
 * post.views++}), half through {@link CounterBuffer#increment}. Seeded: thread {@code t} draws from
 * {@code new Random(seed + t)}.
 */
final class CommitLoad implements AutoCloseable {

  private final EntityManagerFactory factory;
  private final CounterBuffer buffer;
  private final int rows;
  private final long seed;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLongArray committed;
  private final AtomicLong inDoubt = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final LongAccumulator slowestCommitNanos = new LongAccumulator(Math::max, 0);
  private final List<RuntimeException> errors = new CopyOnWriteArrayList<>();
  private final ExecutorService pool;
  private final List<Future<?>> workers = new ArrayList<>();

  private CommitLoad(EntityManagerFactory factory, int threads, int rows, long seed) {
    this.factory = factory;
    this.buffer = CounterBuffer.of(factory);
    this.rows = rows;
    this.seed = seed;
    this.committed = new AtomicLongArray(rows + 1);
    this.pool = Executors.newFixedThreadPool(threads);
  }

  /** Starts {@code threads} threads incrementing the views of posts {@code 1..rows}. */
  static CommitLoad start(EntityManagerFactory factory, int threads, int rows, long seed) {
    CommitLoad load = new CommitLoad(factory, threads, rows, seed);
    for (int t = 0; t < threads; t++) {
      Random random = new Random(seed + t);
      load.workers.add(load.pool.submit(() -> load.work(random)));
    }
    return load;
  }

  private void work(Random random) {
    while (running.get()) {
      long[] mine = new long[rows + 1];
      EntityManager em = factory.createEntityManager();
      long start = 0;
      try {
        em.getTransaction().begin();
        int increments = 1 + random.nextInt(5);
        for (int i = 0; i < increments; i++) {
          long id = 1 + random.nextInt(rows);
          if (random.nextBoolean()) {
            em.find(Post.class, id).views++;
          } else {
            buffer.increment(em, Post.class, id, "views", 1);
          }
          mine[(int) id]++;
        }
        start = System.nanoTime();
        em.getTransaction().commit();
        slowestCommitNanos.accumulate(System.nanoTime() - start);
        commits.incrementAndGet();
        for (int id = 1; id <= rows; id++) {
          committed.addAndGet(id, mine[id]);
        }
      } catch (RuntimeException e) {
        if (start != 0) {
          // commit() threw: the database may hold the transaction or not
          long sum = 0;
          for (long n : mine) {
            sum += n;
          }
          inDoubt.addAndGet(sum);
        } else {
          errors.add(e);
          if (em.getTransaction().isActive()) {
            em.getTransaction().rollback();
          }
        }
      } finally {
        em.close();
      }
    }
  }

  /** Stops the threads and waits for them; again, it does nothing more. */
  void stop() throws InterruptedException, ExecutionException, TimeoutException {
    running.set(false);
    for (Future<?> worker : workers) {
      worker.get(1, TimeUnit.MINUTES);
    }
    pool.shutdown();
  }

  /**
   * {@link #stop()}, for a test that failed before it stopped the load. An interrupt while it waits
   * for the threads fails the test as an IllegalStateException (the thread stays interrupted): were
   * it thrown from close(), try-with-resources could add it to a failure's suppressed exceptions
   * and the interrupt would be lost.
   */
  @Override
  public void close() throws ExecutionException, TimeoutException {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the load", e);
    }
  }

  long seed() {
    return seed;
  }

  long commits() {
    return commits.get();
  }

  /** Increments whose transaction committed, for post {@code id}. */
  long committed(int id) {
    return committed.get(id);
  }

  long committedTotal() {
    long total = 0;
    for (int id = 1; id <= rows; id++) {
      total += committed.get(id);
    }
    return total;
  }

  /** Failures before the commit (none expected: nothing talks to Redis inside a transaction). */
  List<RuntimeException> errors() {
    return errors;
  }

  long inDoubt() {
    return inDoubt.get();
  }

  long slowestCommitMillis() {
    return TimeUnit.NANOSECONDS.toMillis(slowestCommitNanos.get());
  }

  /**
   * Resets the slowest commit, to measure a phase of the run.
   *
   * @return the slowest commit of the phase before, in ms
   */
  long resetSlowestCommit() {
    return TimeUnit.NANOSECONDS.toMillis(slowestCommitNanos.getThenReset());
  }

  /** Lets the load run for {@code duration}: the test thread waits, timed by Awaitility. */
  static void runFor(Duration duration) {
    long end = System.nanoTime() + duration.toNanos();
    await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .atMost(duration.plusSeconds(5))
        .until(() -> System.nanoTime() >= end);
  }

  /**
   * The bound on the slowest commit while Redis is in trouble: 1 s, as the buffer-faults issue
   * asks, unless the machine is so loaded that commits took longer before the fault already; then
   * what they took before plus twice the default push timeout (a commit waits at most one push
   * timeout for Redis). A commit held for a whole Redis stall exceeds both.
   */
  static long slowestCommitBound(long slowestBeforeFaultMillis) {
    long pushTimeout = BufferSettings.DEFAULT_PUSH_TIMEOUT.toMillis();
    return Math.max(1000, slowestBeforeFaultMillis + 2 * pushTimeout);
  }

  /**
   * The bound on a committing thread's wait for its push ({@code coalesce.buffer.commit.wait}): the
   * default push timeout, where the wait ends, plus 250 ms for the woken thread to get a CPU back
   * on a loaded 2-core machine. A wait held for a Redis stall or failover lasts seconds.
   */
  static long storeWaitBound() {
    return BufferSettings.DEFAULT_PUSH_TIMEOUT.toMillis() + 250;
  }
}
