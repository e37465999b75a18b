package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Item 4 of the store list in the hardening issue: two nodes on the {@code local} store share one
 * ledger. Their claims' sequence numbers are their own and may coincide; neither may take the
 * other's ledger entry for its own claim and drop its batch.
 */
@RealServices
class LocalNodesTest {

  @Test
  void twoNodesOnTheLocalStoreFlushingAtOnceApplyEveryIncrementOnce(TestDatabase db)
      throws Exception {
    Map<String, Object> settings = Boot.localSettings(db);
    settings.put(BufferSettings.PARTITIONS, "4");
    settings.put(BufferSettings.MAX_ROWS_PER_FLUSH, "2");
    settings.put(BufferSettings.FLUSH_INTERVAL, "5ms");
    settings.put("hibernate.hbm2ddl.auto", "create");
    EntityManagerFactory nodeA = Boot.boot(settings, Post.class);
    settings.put("hibernate.hbm2ddl.auto", "none");
    EntityManagerFactory nodeB = Boot.boot(settings, Post.class);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      int rows = 20;
      Boot.persistPosts(nodeA, rows);
      Workload workload = Workload.seeded("two local nodes", rows);
      List<Future<?>> tasks = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        EntityManagerFactory node = thread % 2 == 0 ? nodeA : nodeB;
        int t = thread;
        tasks.add(pool.submit(() -> workload.commit(node, t, 250)));
      }
      // explicit flushes on both nodes race with both background flushers
      for (EntityManagerFactory node : List.of(nodeA, nodeB)) {
        tasks.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 100; i++) {
                    CounterBuffer.of(node).flush();
                  }
                }));
      }
      for (Future<?> task : tasks) {
        task.get(2, TimeUnit.MINUTES);
      }
      CounterBuffer.of(nodeA).flush();
      CounterBuffer.of(nodeB).flush();
      workload.assertExactTotals(db);
    } finally {
      pool.shutdownNow();
      nodeB.close();
      nodeA.close();
    }
  }
}
