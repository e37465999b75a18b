package dev.coalesce.buffer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Increments committed by the application threads of a test, seeded (printed; {@code
 * -Dcoalesce.seed} replays it), and the totals the database must end with: every committed
 * increment exactly once, nothing set aside.
 */
final class Workload {

  private final String name;
  private final int rows;
  private final long seed;
  private final AtomicLongArray sent;
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  private Workload(String name, int rows) {
    this.name = name;
    this.rows = rows;
    this.seed = Long.getLong("coalesce.seed", System.nanoTime());
    this.sent = new AtomicLongArray(rows + 1);
    System.out.println(name + " seed=" + seed);
  }

  /** A workload over posts {@code 1..rows}; prints its seed. */
  static Workload seeded(String name, int rows) {
    return new Workload(name, rows);
  }

  long seed() {
    return seed;
  }

  /** The partition of post {@code id}'s views counter. */
  static int partitionOf(long id, int partitions) {
    return new CounterKey(Post.class.getName(), "views", Long.toString(id)).partition(partitions);
  }

  /**
   * Commits {@code transactions} transactions of a few increments each on {@code node}, half of
   * them on the three hot rows. A transaction that fails (its connection was cut) is not counted:
   * its deltas are handed to the buffer only after a successful commit.
   */
  void commit(EntityManagerFactory node, int thread, int transactions) {
    CounterBuffer buffer = CounterBuffer.of(node);
    Random random = new Random(seed * 31 + thread);
    for (int tx = 0; tx < transactions; tx++) {
      long[] mine = new long[rows + 1];
      try {
        node.runInTransaction(
            em -> {
              for (int i = 0; i < 5; i++) {
                long id = 1 + random.nextInt(random.nextBoolean() ? Math.min(3, rows) : rows);
                int delta = 1 + random.nextInt(3);
                buffer.increment(em, Post.class, id, "views", delta);
                mine[(int) id] += delta;
              }
            });
      } catch (RuntimeException e) {
        failed.incrementAndGet(); // not committed: nothing of it may reach the database
        continue;
      }
      committed.incrementAndGet();
      for (int id = 1; id <= rows; id++) {
        sent.addAndGet(id, mine[id]);
      }
    }
  }

  /** Commits one increment of {@code delta} on post {@code id}. */
  void commitOne(EntityManagerFactory node, long id, long delta) {
    CounterBuffer buffer = CounterBuffer.of(node);
    Boot.inTx(node, em -> buffer.increment(em, Post.class, id, "views", delta));
    committed.incrementAndGet();
    sent.addAndGet((int) id, delta);
  }

  long sent(long id) {
    return sent.get((int) id);
  }

  long total() {
    long total = 0;
    for (int id = 1; id <= rows; id++) {
      total += sent.get(id);
    }
    return total;
  }

  /** Every row holds exactly what was committed for it, and nothing is set aside. */
  void assertExactTotals(TestDatabase db) {
    assertRowTotals(db);
    assertThat(Boot.queryRows(db, "select * from coalesce_buffer_failed"))
        .as("set aside (seed %d)", seed)
        .isEmpty();
  }

  /** Every row holds exactly what was committed for it. */
  void assertRowTotals(TestDatabase db) {
    long inDatabase = Boot.queryLong(db, "select coalesce(sum(views), 0) from post");
    System.out.printf(
        "%s seed=%d: transactions committed %d, failed (not counted) %d; increments committed %d,"
            + " in the database %d%n",
        name, seed, committed.get(), failed.get(), total(), inDatabase);
    for (int id = 1; id <= rows; id++) {
      assertThat(Boot.queryLong(db, "select views from post where id = " + id))
          .as("%s: post %d (seed %d)", name, id, seed)
          .isEqualTo(sent.get(id));
    }
  }
}
