package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, item 6: three SessionFactories on one database and one Redis namespace, four threads
 * each, each factory flushing on its own schedule; a seeded run of {@value #DEFAULT_INCREMENTS}
 * increments ({@code -Dcoalesce.increments=} scales it) over {@value #ROWS} rows, a tenth of them
 * on {@value #HOT_ROWS} hot rows. Exact totals, and a trigger on the ledger shows that no sequence
 * number of a partition was applied twice.
 */
@RealServices
class ManyNodesTest {

  private static final int NODES = 3;
  private static final int THREADS_PER_NODE = 4;
  private static final int ROWS = 1000;
  private static final int HOT_ROWS = 10;
  private static final int DEFAULT_INCREMENTS = 100_000;
  private static final int PER_TRANSACTION = 20;

  @Test
  void threeNodesOnRedisApplyEveryIncrementOnce(TestDatabase db, TestRedis redis) throws Exception {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put(BufferSettings.PARTITIONS, "8");
    settings.put(BufferSettings.MAX_ROWS_PER_FLUSH, "100");
    List<EntityManagerFactory> nodes = new ArrayList<>();
    try {
      String[] intervals = {"100ms", "170ms", "290ms"};
      for (int n = 0; n < NODES; n++) {
        Map<String, Object> node = new HashMap<>(settings);
        node.put(BufferSettings.FLUSH_INTERVAL, intervals[n]);
        node.put("hibernate.hbm2ddl.auto", n == 0 ? "create" : "none");
        nodes.add(Boot.boot(node, Post.class));
        if (n == 0) {
          Boot.persistPosts(nodes.get(0), ROWS);
          recordLedgerAdvances(db);
        }
      }
      int increments = Integer.getInteger("coalesce.increments", DEFAULT_INCREMENTS);
      long seed = Long.getLong("coalesce.seed", System.nanoTime());
      System.out.println("ManyNodesTest seed=" + seed + " increments=" + increments);
      AtomicLongArray sent = new AtomicLongArray(ROWS + 1);
      ExecutorService pool = Executors.newFixedThreadPool(NODES * THREADS_PER_NODE);
      List<Future<?>> workers = new ArrayList<>();
      int threads = NODES * THREADS_PER_NODE;
      int perThread = PER_TRANSACTION * threads;
      int transactionsPerThread = (increments + perThread - 1) / perThread;
      for (int t = 0; t < threads; t++) {
        EntityManagerFactory node = nodes.get(t % NODES);
        Random random = new Random(seed + t);
        workers.add(pool.submit(() -> work(node, random, transactionsPerThread, sent)));
      }
      for (Future<?> worker : workers) {
        worker.get(5, TimeUnit.MINUTES);
      }
      pool.shutdown();
      for (EntityManagerFactory node : nodes) {
        CounterBuffer.of(node).flush();
      }

      long total = 0;
      for (int id = 1; id <= ROWS; id++) {
        total += sent.get(id);
      }
      Map<Long, Long> database = views(db);
      for (int id = 1; id <= ROWS; id++) {
        assertThat(database.get((long) id))
            .as("post %d (seed %d)", id, seed)
            .isEqualTo(sent.get(id));
      }
      List<String> twice =
          Boot.queryRows(
              db,
              "select partition_no, new_seq, count(*) from ledger_advances"
                  + " group by partition_no, new_seq having count(*) > 1");
      long advances = queryLong(db, "select count(*) from ledger_advances");
      long flushes = 0;
      for (EntityManagerFactory node : nodes) {
        flushes += CounterBuffer.of(node).stats().flushes();
      }
      System.out.printf(
          "ManyNodesTest seed=%d: %d increments committed on %d nodes, %d in the database,"
              + " %d claims applied (ledger advances %d), sequence numbers applied twice: %s%n",
          seed,
          total,
          NODES,
          database.values().stream().mapToLong(Long::longValue).sum(),
          flushes,
          advances,
          twice);
      assertThat(twice).as("claims applied twice").isEmpty();
      assertThat(advances).isEqualTo(flushes);
    } finally {
      for (EntityManagerFactory node : nodes) {
        node.close();
      }
    }
  }

  /** A trigger that records every advance of the ledger: which claim was applied, and when. */
  private static void recordLedgerAdvances(TestDatabase db) {
    Boot.execute(
        db, "create table ledger_advances (partition_no int, old_seq bigint, new_seq bigint)");
    Boot.execute(
        db,
        "create function record_ledger_advance() returns trigger language plpgsql as $$ begin"
            + " insert into ledger_advances values (new.partition_no, old.last_seq,"
            + " new.last_seq); return new; end $$");
    Boot.execute(
        db,
        "create trigger record_ledger_advance after update of last_seq on coalesce_buffer_ledger"
            + " for each row when (old.last_seq is distinct from new.last_seq)"
            + " execute function record_ledger_advance()");
  }

  private static Map<Long, Long> views(TestDatabase db) {
    Map<Long, Long> views = new HashMap<>();
    for (String row : Boot.queryRows(db, "select id, views from post")) {
      String[] columns = row.split("\\|");
      views.put(Long.parseLong(columns[0]), Long.parseLong(columns[1]));
    }
    return views;
  }

  private static void work(
      EntityManagerFactory node, Random random, int transactions, AtomicLongArray sent) {
    CounterBuffer buffer = CounterBuffer.of(node);
    for (int tx = 0; tx < transactions; tx++) {
      long[] mine = new long[ROWS + 1];
      EntityManager em = node.createEntityManager();
      try {
        em.getTransaction().begin();
        for (int i = 0; i < PER_TRANSACTION; i++) {
          long id =
              random.nextInt(10) == 0 ? 1 + random.nextInt(HOT_ROWS) : 1 + random.nextInt(ROWS);
          if (random.nextInt(4) == 0) {
            em.find(Post.class, id).views++;
          } else {
            buffer.increment(em, Post.class, id, "views", 1);
          }
          mine[(int) id]++;
        }
        em.getTransaction().commit();
      } finally {
        em.close();
      }
      for (int id = 1; id <= ROWS; id++) {
        if (mine[id] != 0) {
          sent.addAndGet(id, mine[id]);
        }
      }
    }
  }
}
