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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8, item 6: three SessionFactories on one database (and one Redis namespace for the {@code
 * redis} store; with {@code local} each node flushes its own deltas), four threads each, each
 * factory flushing on its own schedule; a seeded run of {@value #DEFAULT_INCREMENTS} increments
 * ({@code -Dcoalesce.increments=} scales it) over {@value #ROWS} rows, a tenth of them on {@value
 * #HOT_ROWS} hot rows. Exact totals, and a trigger shows that the database applied no claim twice.
 */
@RealServices
class ManyNodesTest {

  private static final int NODES = 3;
  private static final int THREADS_PER_NODE = 4;
  private static final int ROWS = 1000;
  private static final int HOT_ROWS = 10;
  private static final int DEFAULT_INCREMENTS = 100_000;
  private static final int PER_TRANSACTION = 20;

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void threeNodesApplyEveryIncrementOnce(String store, TestDatabase db, TestRedis redis)
      throws Exception {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put(BufferSettings.STORE, store);
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
          recordAppliedClaims(db, store);
        }
      }
      int increments = Integer.getInteger("coalesce.increments", DEFAULT_INCREMENTS);
      long seed = Long.getLong("coalesce.seed", System.nanoTime());
      System.out.println("ManyNodesTest[" + store + "] seed=" + seed + " increments=" + increments);
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
              db, "select claim, count(*) from applied_claims group by claim having count(*) > 1");
      long advances = queryLong(db, "select count(*) from applied_claims");
      long flushes = 0;
      for (EntityManagerFactory node : nodes) {
        flushes += CounterBuffer.of(node).stats().flushes();
      }
      System.out.printf(
          "ManyNodesTest[%s] seed=%d: %d increments committed on %d nodes, %d in the database,"
              + " %d claims applied (recorded by the database: %d), claims applied twice: %s%n",
          store,
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

  /**
   * A trigger that records every claim the database applies: for {@code redis}, each advance of a
   * partition's ledger row (partition and sequence number); for {@code local}, each claim recorded
   * as applied by its node.
   */
  private static void recordAppliedClaims(TestDatabase db, String store) {
    Boot.execute(db, "drop table if exists applied_claims");
    Boot.execute(db, "drop function if exists record_applied_claim() cascade");
    Boot.execute(db, "create table applied_claims (claim varchar(200))");
    boolean shared = store.equals("redis");
    Boot.execute(
        db,
        "create function record_applied_claim() returns trigger language plpgsql as $$ begin"
            + " insert into applied_claims values ("
            + (shared ? "new.partition_no || ':' || new.last_seq" : "new.claim_id")
            + "); return new; end $$");
    Boot.execute(
        db,
        shared
            ? "create trigger record_applied_claim after update of last_seq on"
                + " coalesce_buffer_ledger for each row when (old.last_seq is distinct from"
                + " new.last_seq) execute function record_applied_claim()"
            : "create trigger record_applied_claim after insert on coalesce_buffer_local_applied"
                + " for each row execute function record_applied_claim()");
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
