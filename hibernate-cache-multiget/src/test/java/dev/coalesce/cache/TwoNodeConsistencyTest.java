package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestDatabases;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.LockModeType;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.RollbackException;
import java.util.ArrayList;
import java.util.EnumMap;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two SessionFactories ("nodes") on one database and one Redis, on every database of the matrix
 * (PostgreSQL, MariaDB, H2). Writers on both nodes increment the same few rows in transactions (so
 * their soft locks overlap); readers on both nodes read them through the cache, by find and by
 * findMultiple. A reader that starts after a commit must never see a value from before it. Seeded;
 * the seed is printed, set -Dcoalesce.seed to replay.
 *
 * <p>Two kinds of writers: {@code PESSIMISTIC_WRITE} (a row lock serialises them, each after-update
 * usually finds its soft lock unshared and caches its value), and optimistic {@code @Version}
 * writers that load the row through the cache without a row lock, so two of them often lock one
 * entry at once (a shared soft lock, whose after-updates cache nothing) and the later UPDATE fails
 * its version check and is retried (a rollback that unlocks).
 */
@RealServices
class TwoNodeConsistencyTest {

  static final int ROWS = 4;
  static final int WRITES_PER_WRITER = 120;
  static final int READS_PER_READER = 300;

  /** The two nodes on each database of the matrix, booted on first use. */
  private static final Map<TestDatabase.Kind, SessionFactory[]> NODES =
      new EnumMap<>(TestDatabase.Kind.class);

  private static synchronized SessionFactory[] nodes(
      TestDatabase.Kind kind, TestDatabases databases, TestRedis redis) {
    return NODES.computeIfAbsent(
        kind,
        k -> {
          TestDatabase db = databases.of(k);
          Map<String, Object> first = new HashMap<>(redis.hibernateProperties());
          // a namespace of its own per database, under the class's (removed after the class)
          first.put(TestRedis.NAMESPACE_SETTING, redis.namespace() + ":" + k);
          SessionFactory nodeA = Boot.factory(db, first, Counter.class, VersionedCounter.class);
          Map<String, Object> second = new HashMap<>(first);
          second.put("hibernate.hbm2ddl.auto", "none");
          SessionFactory nodeB = Boot.factory(db, second, Counter.class, VersionedCounter.class);
          nodeA.inTransaction(
              session ->
                  LongStream.rangeClosed(1, ROWS)
                      .forEach(
                          id -> {
                            session.persist(new Counter(id));
                            session.persist(new VersionedCounter(id));
                          }));
          return new SessionFactory[] {nodeA, nodeB};
        });
  }

  @AfterAll
  static void close() {
    for (SessionFactory[] nodes : NODES.values()) {
      nodes[1].close();
      nodes[0].close();
    }
    NODES.clear();
  }

  /** How writers update a row, and which entity they update. */
  enum Writers {
    PESSIMISTIC_WRITE(Counter.class),
    OPTIMISTIC_VERSION(VersionedCounter.class);

    final Class<?> entity;

    Writers(Class<?> entity) {
      this.entity = entity;
    }

    long valueOf(Object row) {
      return row instanceof Counter c ? c.value : ((VersionedCounter) row).value;
    }

    long idOf(Object row) {
      return row instanceof Counter c ? c.id : ((VersionedCounter) row).id;
    }
  }

  static Stream<Arguments> databasesAndWriters() {
    List<Arguments> all = new ArrayList<>();
    for (TestDatabase.Kind kind : TestDatabase.Kind.values()) {
      for (Writers writers : Writers.values()) {
        all.add(Arguments.of(kind, writers));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("databasesAndWriters")
  void noReaderThatStartsAfterACommitSeesAnOlderValue(
      TestDatabase.Kind kind, Writers writers, TestDatabases databases, TestRedis redis)
      throws Exception {
    SessionFactory[] pair = nodes(kind, databases, redis);
    runAndCheck(kind.toString(), writers, pair[0], pair[1]);
  }

  /**
   * Runs two writers and four readers on the two nodes (whose rows 1..{@link #ROWS} of {@code
   * writers.entity} exist) and checks that no reader saw a value older than a commit before it
   * started, that the cache served reads, and that the rows hold what the writers committed.
   */
  static void runAndCheck(String label, Writers writers, SessionFactory nodeA, SessionFactory nodeB)
      throws Exception {
    String kind = label;
    long seed = Long.getLong("coalesce.seed", System.nanoTime());
    System.out.println("[two-node consistency] " + kind + ", " + writers + " seed " + seed);
    AtomicInteger retries = new AtomicInteger();
    AtomicInteger checked = new AtomicInteger();
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
      tasks.add(pool.submit(() -> write(writers, node, random, committed, retries)));
    }
    for (int r = 0; r < 4; r++) {
      SessionFactory node = nodes[r % 2];
      Random random = new Random(seed + 100 + r);
      String name = "reader " + r + " on node " + (r % 2 == 0 ? "A" : "B");
      tasks.add(
          pool.submit(() -> read(writers, node, random, committed, violations, checked, name)));
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
        "[two-node consistency] %s, %s seed %d: %d writes (%d retried after a failed version"
            + " check), %d reads checked, %d cache hits, %d puts, %d stale reads%n",
        kind,
        writers,
        seed,
        2 * WRITES_PER_WRITER,
        retries.get(),
        checked.get(),
        hits,
        puts,
        violations.size());
    assertThat(violations).as("stale reads (seed " + seed + ")").isEmpty();
    assertThat(hits).as("the readers were served by the cache").isPositive();
    nodeA.inTransaction(
        session -> {
          for (long id = 1; id <= ROWS; id++) {
            assertThat(writers.valueOf(session.find(writers.entity, id)))
                .isEqualTo(committed.get(id));
          }
        });
  }

  private static void write(
      Writers writers,
      SessionFactory node,
      Random random,
      Map<Long, Long> committed,
      AtomicInteger retries) {
    for (int i = 0; i < WRITES_PER_WRITER; i++) {
      long id = 1 + random.nextInt(ROWS);
      long[] written = new long[1];
      if (writers == Writers.PESSIMISTIC_WRITE) {
        node.inTransaction(
            session -> {
              Counter counter = session.find(Counter.class, id, LockModeType.PESSIMISTIC_WRITE);
              counter.value++;
              written[0] = counter.value;
            });
      } else {
        while (!incrementOptimistically(node, id, written)) {
          retries.incrementAndGet();
        }
      }
      committed.merge(id, written[0], Math::max);
    }
  }

  /** False if another writer committed first (the version check failed and it rolled back). */
  private static boolean incrementOptimistically(SessionFactory node, long id, long[] written) {
    try {
      node.inTransaction(
          session -> {
            VersionedCounter counter = session.find(VersionedCounter.class, id);
            counter.value++;
            written[0] = counter.value;
          });
      return true;
    } catch (RollbackException e) {
      if (e.getCause() instanceof OptimisticLockException) {
        return false;
      }
      throw e;
    }
  }

  private static void read(
      Writers writers,
      SessionFactory node,
      Random random,
      Map<Long, Long> committed,
      List<String> violations,
      AtomicInteger checked,
      String name) {
    for (int i = 0; i < READS_PER_READER; i++) {
      Map<Long, Long> floor = new HashMap<>(committed);
      boolean multi = random.nextInt(4) == 0;
      long id = 1 + random.nextInt(ROWS);
      node.inTransaction(
          session -> {
            if (multi) {
              List<Long> ids = LongStream.rangeClosed(1, ROWS).boxed().toList();
              for (Object row : session.findMultiple(writers.entity, ids)) {
                check(writers, row, floor, violations, checked, name);
              }
            } else {
              check(writers, session.find(writers.entity, id), floor, violations, checked, name);
            }
          });
    }
  }

  private static void check(
      Writers writers,
      Object row,
      Map<Long, Long> floor,
      List<String> violations,
      AtomicInteger checked,
      String name) {
    checked.incrementAndGet();
    long id = writers.idOf(row);
    long value = writers.valueOf(row);
    long atLeast = floor.get(id);
    if (value < atLeast) {
      violations.add(
          name + " read counter " + id + " = " + value + " after " + atLeast + " was committed");
    }
  }
}
