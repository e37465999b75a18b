package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestDatabases;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two nodes (two SessionFactories) share one database and one Redis namespace, both flushing every
 * 50 ms and on demand while both take increments: every increment is applied exactly once, on every
 * database of the matrix.
 */
@RealServices
class TwoNodesTest {

  private static final int ROWS = 5;
  private static final int TRANSACTIONS_PER_THREAD = 150;

  /** Every database of the matrix, and MariaDB's InnoDB under READ COMMITTED as well. */
  static Stream<Arguments> databases() {
    return Stream.of(
        Arguments.of(TestDatabase.Kind.POSTGRESQL, null),
        Arguments.of(TestDatabase.Kind.MARIADB, null),
        Arguments.of(TestDatabase.Kind.MARIADB, Connection.TRANSACTION_READ_COMMITTED),
        Arguments.of(TestDatabase.Kind.H2, null));
  }

  @ParameterizedTest(name = "{0}, isolation {1} (null: the server's default)")
  @MethodSource("databases")
  void racingFlushersApplyEveryIncrementOnce(
      TestDatabase.Kind kind, Integer isolation, TestDatabases databases, TestRedis redis)
      throws Exception {
    TestDatabase db = databases.of(kind);
    Map<String, Object> first = Boot.redisSettings(db, redis);
    if (isolation != null) {
      first.put("hibernate.connection.isolation", isolation.toString());
    }
    first.put(BufferSettings.FLUSH_INTERVAL, "50ms");
    first.put(BufferSettings.PARTITIONS, "4");
    first.put(BufferSettings.MAX_ROWS_PER_FLUSH, "2");
    first.put("hibernate.hbm2ddl.auto", "create");
    Map<String, Object> second = Map.copyOf(withoutSchemaExport(first));
    EntityManagerFactory nodeA = Boot.boot(first, Post.class);
    EntityManagerFactory nodeB = Boot.boot(second, Post.class);
    try {
      Boot.persistPosts(nodeA, ROWS);
      long seed = Long.getLong("coalesce.seed", System.nanoTime());
      System.out.println("TwoNodesTest[" + kind + ", isolation " + isolation + "] seed=" + seed);
      AtomicLongArray sent = new AtomicLongArray(ROWS + 1);
      ExecutorService pool = Executors.newFixedThreadPool(5);
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        EntityManagerFactory node = t % 2 == 0 ? nodeA : nodeB;
        Random random = new Random(seed + t);
        tasks.add(pool.submit(() -> increments(node, random, sent)));
      }
      // explicit flushes on both nodes race with the background flushers
      tasks.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 40; i++) {
                  CounterBuffer.of(i % 2 == 0 ? nodeA : nodeB).flush();
                }
              }));
      for (Future<?> task : tasks) {
        task.get(2, TimeUnit.MINUTES);
      }
      pool.shutdown();
      CounterBuffer.of(nodeA).flush();
      CounterBuffer.of(nodeB).flush();
      long total = 0;
      for (int id = 1; id <= ROWS; id++) {
        assertThat(queryLong(db, "select views from post where id = " + id))
            .as("row %d on %s (seed %d)", id, kind, seed)
            .isEqualTo(sent.get(id));
        total += sent.get(id);
      }
      System.out.printf(
          "TwoNodesTest[%s, isolation %s] seed=%d: %d increments committed on two nodes, all in"
              + " the database once%n",
          kind, isolation, seed, total);
    } finally {
      nodeB.close();
      nodeA.close();
    }
  }

  private static Map<String, Object> withoutSchemaExport(Map<String, Object> settings) {
    Map<String, Object> copy = new java.util.HashMap<>(settings);
    copy.put("hibernate.hbm2ddl.auto", "none");
    return copy;
  }

  private static void increments(EntityManagerFactory node, Random random, AtomicLongArray sent) {
    CounterBuffer buffer = CounterBuffer.of(node);
    for (int tx = 0; tx < TRANSACTIONS_PER_THREAD; tx++) {
      long[] mine = new long[ROWS + 1];
      EntityManager em = node.createEntityManager();
      try {
        em.getTransaction().begin();
        for (int i = 0; i < 10; i++) {
          long id = 1 + random.nextInt(ROWS);
          int delta = 1 + random.nextInt(3);
          if (random.nextBoolean()) {
            em.find(Post.class, id).views += delta;
          } else {
            buffer.increment(em, Post.class, id, "views", delta);
          }
          mine[(int) id] += delta;
        }
        em.getTransaction().commit();
      } finally {
        em.close();
      }
      for (int id = 1; id <= ROWS; id++) {
        sent.addAndGet(id, mine[id]);
      }
    }
  }
}
