package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redis of this test's own (an append-only file, so a restart brings back what was cached before
 * the outage) used by two nodes, each with a client that gives up after 1 s. Writes on both nodes
 * while Redis is down are never hidden after it returns, by an entity entry or a cached query
 * result cached before; and while it is down (stalled, every call would time out), one thread
 * probes per retry interval while the others miss at once.
 */
@RealServices
class OutageAcrossNodesTest {

  static final int ROWS = 8;
  static final String SUM = "select sum(c.value) from Counter c";

  /** The clients' timeout: a read that waited for it is unmistakable on a busy machine. */
  static final Duration TIMEOUT = Duration.ofMillis(1_000);

  static RedisServerProcess redis;
  static TwoNodes twoNodes;
  static SessionFactory nodeA;
  static SessionFactory nodeB;

  @BeforeAll
  static void boot(TestDatabase db) {
    redis = RedisServerProcess.startWithAppendOnlyFile();
    twoNodes =
        new TwoNodes(
            db,
            () -> TestRedisClients.failingAfter(redis.address(), TIMEOUT),
            "outage-nodes",
            Map.of("hibernate.cache.use_query_cache", "true"),
            Counter.class);
    nodeA = twoNodes.nodeA;
    nodeB = twoNodes.nodeB;
    nodeA.inTransaction(
        session -> LongStream.rangeClosed(1, ROWS).forEach(id -> session.persist(new Counter(id))));
  }

  @AfterAll
  static void close() {
    if (twoNodes != null) {
      twoNodes.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  static final List<Long> IDS = LongStream.rangeClosed(1, ROWS).boxed().toList();

  static List<Counter> all(SessionFactory node) {
    return node.fromTransaction(session -> session.findMultiple(Counter.class, IDS));
  }

  static long sum(SessionFactory node) {
    return node.fromTransaction(
        session -> session.createQuery(SUM, Long.class).setCacheable(true).getSingleResult());
  }

  static void increment(SessionFactory node, long id) {
    node.inTransaction(session -> session.find(Counter.class, id).value++);
  }

  @Test
  void writesOnTwoNodesDuringAnOutageAreNeverHiddenAfterIt() {
    SessionFactory[] nodes = {nodeA, nodeB};
    Map<Long, Long> committed = new ConcurrentHashMap<>();
    IDS.forEach(id -> committed.put(id, value(id)));
    // Both nodes cache every row and the sum query (read twice: the second read hits). This is
    // the setup, not what the test checks: a call the busy machine held past the clients' 1 s
    // timeout starts an outage, and the warm-up is then read again until both nodes serve from
    // the cache (each extra round is printed with the nodes' state; CI failed here once).
    for (SessionFactory node : nodes) {
      Boot.warmUp(
          name(node) + " serves rows and the sum from the cache",
          twoNodes::state,
          () -> {
            node.getStatistics().clear();
            all(node);
            all(node);
            sum(node);
            sum(node);
            return servedFromCache(node.getStatistics());
          });
    }

    redis.stop();
    TestRedisClients.awaitUnreachable(twoNodes.clientA());
    TestRedisClients.awaitUnreachable(twoNodes.clientB());
    for (long id : IDS) {
      SessionFactory writer = id <= ROWS / 2 ? nodeA : nodeB;
      for (int i = 0; i < 3; i++) {
        increment(writer, id);
      }
      committed.put(id, committed.get(id) + 3);
    }
    List<String> stale = new ArrayList<>();
    int[] checked = {0};
    for (SessionFactory node : nodes) {
      check(node, committed, stale, checked, "during the outage");
    }

    redis.startAgain();
    for (SessionFactory node : nodes) {
      node.getStatistics().clear();
    }
    // Entities first: a query run now would miss and cache a fresh result over the old one, so
    // the query cache is first read once both nodes serve entries from the cache again.
    await("both nodes serve entries from the cache again")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (SessionFactory node : nodes) {
                checkEntities(node, committed, stale, checked, "after the outage");
              }
              return nodeA.getStatistics().getSecondLevelCacheHitCount() > 0
                  && nodeB.getStatistics().getSecondLevelCacheHitCount() > 0;
            });
    await("both nodes serve query results from the cache again")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (SessionFactory node : nodes) {
                check(node, committed, stale, checked, "after the outage");
              }
              return servedFromCache(nodeA.getStatistics())
                  && servedFromCache(nodeB.getStatistics());
            });
    System.out.printf(
        "[outage, two nodes] %d reads checked (entities and the cached sum), %d stale%n",
        checked[0], stale.size());
    assertThat(stale).as("reads older than a commit").isEmpty();
  }

  static boolean servedFromCache(Statistics statistics) {
    return statistics.getQueryCacheHitCount() > 0 && statistics.getSecondLevelCacheHitCount() > 0;
  }

  private static void check(
      SessionFactory node,
      Map<Long, Long> committed,
      List<String> stale,
      int[] checked,
      String when) {
    checkEntities(node, committed, stale, checked, when);
    long expected = committed.values().stream().mapToLong(Long::longValue).sum();
    long sum = sum(node);
    checked[0]++;
    if (sum < expected) {
      stale.add(when + ", " + name(node) + " read the cached sum " + sum + ", not " + expected);
    }
  }

  private static void checkEntities(
      SessionFactory node,
      Map<Long, Long> committed,
      List<String> stale,
      int[] checked,
      String when) {
    for (Counter counter : all(node)) {
      checked[0]++;
      if (counter.value < committed.get(counter.id)) {
        stale.add(
            when
                + ", "
                + name(node)
                + " read counter "
                + counter.id
                + " = "
                + counter.value
                + ", not "
                + committed.get(counter.id));
      }
    }
  }

  private static String name(SessionFactory node) {
    return node == nodeA ? "node A" : "node B";
  }

  private static long value(long id) {
    return nodeA.fromTransaction(
        session ->
            session
                .createNativeQuery("select value from Counter where id = :id", Long.class)
                .setParameter("id", id)
                .getSingleResult());
  }

  @Test
  void whileRedisStallsOneThreadProbesAndTheOthersMissAtOnce() throws Exception {
    int threads = 8;
    all(nodeA);
    redis.pause();
    try {
      // The first call notices the stall (it waits for the client's timeout).
      await().atMost(Duration.ofSeconds(5)).until(() -> all(nodeA).size() == ROWS);
      long failedBefore = CacheReport.of(nodeA).orElseThrow().failedCalls();
      List<Long> slowMillis = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      int[] reads = new int[threads];
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> tasks = new ArrayList<>();
      long started = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        tasks.add(
            pool.submit(
                () -> {
                  while (!stop.get()) {
                    long before = System.nanoTime();
                    nodeA.inTransaction(session -> session.find(Counter.class, 1L + thread));
                    long millis = (System.nanoTime() - before) / 1_000_000;
                    reads[thread]++;
                    if (millis >= TIMEOUT.toMillis() * 9 / 10) {
                      slowMillis.add(millis);
                    }
                  }
                }));
      }
      await().pollDelay(Duration.ofMillis(3_000)).until(() -> true);
      stop.set(true);
      for (Future<?> task : tasks) {
        task.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
      long failed = CacheReport.of(nodeA).orElseThrow().failedCalls() - failedBefore;
      int total = java.util.Arrays.stream(reads).sum();
      System.out.printf(
          "[outage, stalled Redis] %d threads, %d reads in %d ms, %d calls to Redis failed, %d"
              + " reads took at least 90%% of the client's timeout: %s ms%n",
          threads, total, elapsedMillis, failed, slowMillis.size(), slowMillis);
      // One probe per 1 s retry interval, not one per thread. Counted by the node (each probe of
      // the stalled Redis fails at the client's timeout), not by slow reads: with 8 threads on 2
      // cores a read may be slow for other reasons.
      assertThat(failed)
          .as("calls to the stalled Redis (reads that took long: %s ms)", slowMillis)
          .isLessThanOrEqualTo(elapsedMillis / 1_000 + 1);
      assertThat(total).isGreaterThan(threads * 10);
    } finally {
      redis.resume();
    }
  }
}
