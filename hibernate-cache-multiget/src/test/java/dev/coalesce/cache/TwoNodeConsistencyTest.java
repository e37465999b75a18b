package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.LockModeType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two SessionFactories ("nodes") on one database and one Redis. Writers on both nodes increment the
 * same few rows in transactions (so their soft locks overlap); readers on both nodes read them
 * through the cache, by find and by findMultiple. A reader that starts after a commit must never
 * see a value from before it. Seeded; the seed is printed, set -Dcoalesce.seed to replay.
 */
@RealServices
class TwoNodeConsistencyTest {

  static final int ROWS = 4;
  static final int WRITES_PER_WRITER = 120;
  static final int READS_PER_READER = 300;
  static SessionFactory nodeA;
  static SessionFactory nodeB;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    nodeA = Boot.factory(db, redis.hibernateProperties(), Counter.class);
    Map<String, Object> second = new HashMap<>(redis.hibernateProperties());
    second.put("hibernate.hbm2ddl.auto", "none");
    nodeB = Boot.factory(db, second, Counter.class);
    nodeA.inTransaction(
        session -> LongStream.rangeClosed(1, ROWS).forEach(id -> session.persist(new Counter(id))));
  }

  @AfterAll
  static void close() {
    if (nodeB != null) {
      nodeB.close();
    }
    if (nodeA != null) {
      nodeA.close();
    }
  }

  @Test
  void noReaderThatStartsAfterACommitSeesAnOlderValue() throws Exception {
    long seed = Long.getLong("coalesce.seed", System.nanoTime());
    System.out.println("[two-node consistency] seed " + seed);
    Map<Long, Long> committed = new ConcurrentHashMap<>();
    for (long id = 1; id <= ROWS; id++) {
      committed.put(id, 0L);
    }
    List<String> violations = new CopyOnWriteArrayList<>();
    nodeA.getStatistics().clear();
    nodeB.getStatistics().clear();

    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<?>> tasks = new ArrayList<>();
    SessionFactory[] nodes = {nodeA, nodeB};
    for (int w = 0; w < 2; w++) {
      SessionFactory node = nodes[w];
      Random random = new Random(seed + w);
      tasks.add(pool.submit(() -> write(node, random, committed)));
    }
    for (int r = 0; r < 4; r++) {
      SessionFactory node = nodes[r % 2];
      Random random = new Random(seed + 100 + r);
      String name = "reader " + r + " on node " + (r % 2 == 0 ? "A" : "B");
      tasks.add(pool.submit(() -> read(node, random, committed, violations, name)));
    }
    for (Future<?> task : tasks) {
      task.get(3, TimeUnit.MINUTES);
    }
    pool.shutdown();

    long hits =
        nodeA.getStatistics().getSecondLevelCacheHitCount()
            + nodeB.getStatistics().getSecondLevelCacheHitCount();
    long puts =
        nodeA.getStatistics().getSecondLevelCachePutCount()
            + nodeB.getStatistics().getSecondLevelCachePutCount();
    System.out.printf(
        "[two-node consistency] seed %d: %d writes, %d reads, %d cache hits, %d puts, %d stale"
            + " reads%n",
        seed, 2 * WRITES_PER_WRITER, 4 * READS_PER_READER, hits, puts, violations.size());
    assertThat(violations).as("stale reads (seed " + seed + ")").isEmpty();
    assertThat(hits).as("the readers were served by the cache").isPositive();
    nodeA.inTransaction(
        session -> {
          for (long id = 1; id <= ROWS; id++) {
            assertThat(session.find(Counter.class, id).value).isEqualTo(committed.get(id));
          }
        });
  }

  private static void write(SessionFactory node, Random random, Map<Long, Long> committed) {
    for (int i = 0; i < WRITES_PER_WRITER; i++) {
      long id = 1 + random.nextInt(ROWS);
      long[] written = new long[1];
      node.inTransaction(
          session -> {
            Counter counter = session.find(Counter.class, id, LockModeType.PESSIMISTIC_WRITE);
            counter.value++;
            written[0] = counter.value;
          });
      committed.merge(id, written[0], Math::max);
    }
  }

  private static void read(
      SessionFactory node,
      Random random,
      Map<Long, Long> committed,
      List<String> violations,
      String name) {
    for (int i = 0; i < READS_PER_READER; i++) {
      Map<Long, Long> floor = new HashMap<>(committed);
      boolean multi = random.nextInt(4) == 0;
      long id = 1 + random.nextInt(ROWS);
      node.inTransaction(
          session -> {
            if (multi) {
              List<Long> ids = LongStream.rangeClosed(1, ROWS).boxed().toList();
              List<Counter> counters = session.findMultiple(Counter.class, ids);
              for (Counter counter : counters) {
                check(counter, floor, violations, name);
              }
            } else {
              check(session.find(Counter.class, id), floor, violations, name);
            }
          });
    }
  }

  private static void check(
      Counter counter, Map<Long, Long> floor, List<String> violations, String name) {
    long atLeast = floor.get(counter.id);
    if (counter.value < atLeast) {
      violations.add(
          name
              + " read counter "
              + counter.id
              + " = "
              + counter.value
              + " after "
              + atLeast
              + " was committed");
    }
  }
}
