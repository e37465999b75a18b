package dev.coalesce.buffer.internal;

import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Item 7 of the hardening issue: with leases two nodes do not flush one partition at once in the
 * normal case, and correctness never depends on them (leases expiring mid-flush, a flusher paused
 * after its claim while another node recovers and flushes that partition twice).
 */
@RealServices
class LeaseTest {

  private static final int PARTITIONS = 4;

  private String namespace;

  @BeforeEach
  void freshNamespaceAndLeases(TestDatabase db, TestRedis redis, TestInfo test) {
    namespace = redis.namespace() + ":" + test.getTestMethod().orElseThrow().getName();
    Boot.execute(db, "drop table if exists coalesce_buffer_lease");
  }

  private Map<String, Object> settings(TestDatabase db, TestRedis redis, String flushInterval) {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put(BufferSettings.NAMESPACE, namespace);
    settings.put(BufferSettings.PARTITIONS, Integer.toString(PARTITIONS));
    settings.put(BufferSettings.MAX_ROWS_PER_FLUSH, "2");
    settings.put(BufferSettings.FLUSH_INTERVAL, flushInterval);
    settings.put("hibernate.hbm2ddl.auto", "create");
    return settings;
  }

  private static Flusher flusher(EntityManagerFactory node) {
    return Flusher.of(node.unwrap(SessionFactoryImplementor.class));
  }

  /**
   * Records, from the fault points, when two nodes work on one partition at once: from a node's
   * first claim of the partition in a flush until it is done with it.
   */
  static final class Overlaps {
    final Map<Integer, String> working = new ConcurrentHashMap<>();
    final AtomicInteger overlaps = new AtomicInteger();
    final Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();

    FlushFaults node(String name) {
      Set<Integer> mine = ConcurrentHashMap.newKeySet();
      claims.put(name, new AtomicInteger());
      return new FlushFaults() {
        @Override
        public void afterClaim(Claim claim) {
          claims.get(name).incrementAndGet();
          if (mine.add(claim.partition()) && working.putIfAbsent(claim.partition(), name) != null) {
            overlaps.incrementAndGet();
          }
        }

        @Override
        public void partitionDone(int partition) {
          if (mine.remove(partition)) {
            working.remove(partition, name);
          }
        }
      };
    }
  }

  /** Two nodes take increments and flush in the background every 10 ms until the work is done. */
  private static void twoBusyNodes(
      EntityManagerFactory nodeA, EntityManagerFactory nodeB, Workload workload) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        EntityManagerFactory node = thread % 2 == 0 ? nodeA : nodeB;
        int t = thread;
        tasks.add(pool.submit(() -> workload.commit(node, t, 150)));
      }
      for (Future<?> task : tasks) {
        task.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoNodesFlushingOnTheirSchedulesNeverWorkOnOnePartitionAtOnce(
      TestDatabase db, TestRedis redis) throws Exception {
    Map<String, Object> settings = settings(db, redis, "10ms");
    EntityManagerFactory nodeA = Boot.boot(settings, Post.class);
    settings.put("hibernate.hbm2ddl.auto", "none");
    EntityManagerFactory nodeB = Boot.boot(settings, Post.class);
    try {
      int rows = 20;
      Boot.persistPosts(nodeA, rows);
      Workload workload = Workload.seeded("leases held", rows);
      Overlaps overlaps = new Overlaps();
      flusher(nodeA).faults = overlaps.node("A");
      flusher(nodeB).faults = overlaps.node("B");
      // increments go on until both nodes have flushed claims many times on their schedules
      ExecutorService pool = Executors.newFixedThreadPool(2);
      AtomicBoolean competing = new AtomicBoolean(true);
      try {
        List<Future<?>> tasks = new ArrayList<>();
        for (int thread = 0; thread < 2; thread++) {
          EntityManagerFactory node = thread == 0 ? nodeA : nodeB;
          int t = thread;
          tasks.add(
              pool.submit(
                  () -> {
                    for (int round = 0; competing.get(); round++) {
                      workload.commit(node, round * 2 + t, 10);
                    }
                  }));
        }
        Awaitility.await()
            .atMost(Duration.ofSeconds(40))
            .until(
                () -> overlaps.claims.get("A").get() >= 10 && overlaps.claims.get("B").get() >= 10);
        competing.set(false);
        for (Future<?> task : tasks) {
          task.get(1, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      // the background flushes drain what is left, still under their leases
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> queryLong(db, "select sum(views) from post") == workload.total());
      System.out.printf(
          "leases held: claims node A %s, node B %s, overlaps %d%n",
          overlaps.claims.get("A"), overlaps.claims.get("B"), overlaps.overlaps.get());
      assertThat(overlaps.overlaps.get()).as("partitions worked on by both nodes at once").isZero();
      workload.assertExactTotals(db);
    } finally {
      nodeB.close();
      nodeA.close();
    }
  }

  @Test
  void leasesExpiringMidFlushChangeNoTotal(TestDatabase db, TestRedis redis) throws Exception {
    Map<String, Object> settings = settings(db, redis, "10ms");
    EntityManagerFactory nodeA = Boot.boot(settings, Post.class);
    settings.put("hibernate.hbm2ddl.auto", "none");
    EntityManagerFactory nodeB = Boot.boot(settings, Post.class);
    try {
      int rows = 20;
      Boot.persistPosts(nodeA, rows);
      // a lease is over before the flush that took it has claimed anything
      flusher(nodeA).leases().duration(Duration.ofMillis(1));
      flusher(nodeB).leases().duration(Duration.ofMillis(1));
      Workload workload = Workload.seeded("leases expiring", rows);
      Overlaps overlaps = new Overlaps();
      flusher(nodeA).faults = overlaps.node("A");
      flusher(nodeB).faults = overlaps.node("B");
      twoBusyNodes(nodeA, nodeB, workload);
      CounterBuffer.of(nodeA).flush();
      CounterBuffer.of(nodeB).flush();
      System.out.printf(
          "leases expiring: claims node A %s, node B %s, overlaps %d%n",
          overlaps.claims.get("A"), overlaps.claims.get("B"), overlaps.overlaps.get());
      workload.assertExactTotals(db);
    } finally {
      nodeB.close();
      nodeA.close();
    }
  }

  @Test
  void aFlusherPausedAfterItsClaimAppliesNothingOnceAnotherNodeFlushedThatPartitionTwice(
      TestDatabase db, TestRedis redis) throws Exception {
    Map<String, Object> settings = settings(db, redis, "1h");
    EntityManagerFactory nodeA = Boot.boot(settings, Post.class);
    settings.put("hibernate.hbm2ddl.auto", "none");
    EntityManagerFactory nodeB = Boot.boot(settings, Post.class);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Boot.persistPosts(nodeA, 1);
      int partition = Workload.partitionOf(1, PARTITIONS);
      Workload workload = Workload.seeded("paused flusher", 1);
      workload.commitOne(nodeA, 1, 5);

      CountDownLatch paused = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      AtomicLong pausedSeq = new AtomicLong();
      flusher(nodeA).faults =
          new FlushFaults() {
            @Override
            public void afterClaim(Claim claim) {
              if (pausedSeq.compareAndSet(0, claim.seq())) {
                paused.countDown();
                try {
                  assertThat(resume.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new IllegalStateException(e);
                }
              }
            }
          };
      Future<Long> flushA = pool.submit(() -> CounterBuffer.of(nodeA).flush());
      assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();

      // node B recovers A's claim (as after a crash of A), then flushes the partition again
      CounterBuffer.of(nodeB).flush();
      String ledger =
          "select last_seq from coalesce_buffer_ledger where partition_no = " + partition;
      assertThat(queryLong(db, ledger)).as("B applied A's claim").isEqualTo(pausedSeq.get());
      workload.commitOne(nodeB, 1, 7);
      CounterBuffer.of(nodeB).flush();
      long second = queryLong(db, ledger);
      assertThat(second).as("B's second flush of the partition").isGreaterThan(pausedSeq.get());

      resume.countDown();
      assertThat(flushA.get(30, TimeUnit.SECONDS)).as("rows A updated on resuming").isZero();
      assertThat(queryLong(db, ledger)).as("the ledger after A resumed").isEqualTo(second);
      assertThat(CounterBuffer.of(nodeA).stats().rowsFlushed()).isZero();
      System.out.printf(
          "paused flusher: A paused with seq %d, B applied it and then seq %d%n",
          pausedSeq.get(), second);
      workload.assertExactTotals(db);
    } finally {
      pool.shutdownNow();
      nodeB.close();
      nodeA.close();
    }
  }
}
