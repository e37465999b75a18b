package dev.coalesce.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestDatabases;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue item 4: 8 threads x 10,000 increments over 10 hot rows, while the background flusher runs;
 * after {@code flush()} each row holds exactly what was sent. Seeded; the seed is printed.
 */
@RealServices
class ConcurrencyTest {

  private static final int THREADS = 8;
  private static final int PER_THREAD = 10_000;
  private static final int ROWS = 10;
  private static final int PER_TRANSACTION = 50;

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestDatabase.Kind.class)
  void redisStoreLosesNothing(TestDatabase.Kind kind, TestDatabases databases, TestRedis redis)
      throws Exception {
    Map<String, Object> settings = Boot.redisSettings(databases.of(kind), redis);
    run(settings, "redis, " + kind);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestDatabase.Kind.class)
  void localStoreLosesNothing(TestDatabase.Kind kind, TestDatabases databases) throws Exception {
    Map<String, Object> settings = Boot.localSettings(databases.of(kind));
    settings.put(BufferSettings.STORE, "local");
    run(settings, "local, " + kind);
  }

  private void run(Map<String, Object> settings, String store) throws Exception {
    settings.put(BufferSettings.FLUSH_INTERVAL, "100ms");
    settings.put("hibernate.hikari.maximumPoolSize", "12");
    EntityManagerFactory factory = Boot.boot(settings, Post.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      Boot.persistPosts(factory, ROWS);
      long seed = Long.getLong("coalesce.seed", System.nanoTime());
      System.out.println("ConcurrencyTest[" + store + "] seed=" + seed);
      AtomicLongArray sent = new AtomicLongArray(ROWS + 1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Random random = new Random(seed + t);
        workers.add(pool.submit(() -> work(factory, buffer, random, sent)));
      }
      for (Future<?> worker : workers) {
        worker.get(3, TimeUnit.MINUTES);
      }
      pool.shutdown();

      buffer.flush();

      long total = 0;
      for (int row = 1; row <= ROWS; row++) {
        int id = row;
        long expected = sent.get(id);
        total += expected;
        long actual =
            Boot.inTxGet(
                factory,
                em ->
                    ((Number)
                            em.createNativeQuery("select views from post where id = " + id)
                                .getSingleResult())
                        .longValue());
        assertThat(actual).as("row %d (seed %d)", id, seed).isEqualTo(expected);
        assertThat(buffer.pending(Post.class, (long) id, "views")).isZero();
      }
      assertThat(total).isEqualTo((long) THREADS * PER_THREAD);
    } finally {
      factory.close();
    }
  }

  private static void work(
      EntityManagerFactory factory, CounterBuffer buffer, Random random, AtomicLongArray sent) {
    for (int done = 0; done < PER_THREAD; done += PER_TRANSACTION) {
      long[] mine = new long[ROWS + 1];
      EntityManager em = factory.createEntityManager();
      try {
        em.getTransaction().begin();
        for (int i = 0; i < PER_TRANSACTION; i++) {
          long id = 1 + random.nextInt(ROWS);
          if (random.nextInt(4) == 0) {
            // the plain entity path: read-modify-write of a hot row, no lost update
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
        sent.addAndGet(id, mine[id]);
      }
    }
  }
}
