package dev.coalesce.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisCluster;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Issue 8, item 1, on a Redis Cluster of three masters: one master stalls (SIGSTOP) while six
 * threads commit, so pushes that span partitions on several masters are half applied: the other
 * masters apply their part, the stalled one times out. The push is sent again whole; the masters
 * that had applied it say so, the stalled one applies its part once it answers. Seeded ({@code
 * -Dcoalesce.seed=}).
 */
@RealServices
class ClusterPushTest {

  private static final int THREADS = 6;
  private static final int ROWS = 40;

  @Test
  void aPushHalfAppliedAcrossMastersCountsOnce(TestDatabase db) throws Exception {
    try (RedisCluster cluster = RedisCluster.start(3)) {
      RedissonClient client = cluster.client();
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "cluster");
      settings.put(BufferSettings.FLUSH_INTERVAL, "200ms");
      settings.put("hibernate.hikari.maximumPoolSize", "10");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
        Boot.persistPosts(factory, ROWS);
        CounterBuffer buffer = CounterBuffer.of(factory);
        long seed = Long.getLong("coalesce.seed", System.nanoTime());
        System.out.println("ClusterPushTest seed=" + seed);
        try (CommitLoad load = CommitLoad.start(factory, THREADS, ROWS, seed)) {
          CommitLoad.runFor(Duration.ofSeconds(1));
          long slowestBefore = load.resetSlowestCommit();
          RedisServerProcess stalled = cluster.masters().get(1);
          stalled.pause();
          CommitLoad.runFor(Duration.ofSeconds(3));
          stalled.resume();
          CommitLoad.runFor(Duration.ofSeconds(1));
          long slowest = load.slowestCommitMillis();
          load.stop();
          await("committed deltas leave this JVM")
              .atMost(Duration.ofSeconds(30))
              .until(() -> buffer.stats().deltasQueued() == 0);
          // a flush stuck on the stalled master leaves its claims in flight: later flushes apply
          // them
          await("every committed delta flushed")
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> {
                    buffer.flush();
                    return views(db) >= load.committedTotal();
                  });
          for (int id = 1; id <= ROWS; id++) {
            assertThat(Boot.queryLong(db, "select views from post where id = " + id))
                .as("post %d (seed %d)", id, seed)
                .isEqualTo(load.committed(id));
          }
          BufferStats stats = buffer.stats();
          System.out.printf(
              "ClusterPushTest seed=%d: increments committed %d, in the database %d, in doubt %d,"
                  + " pushes retried %d (settled by asking Redis %d), fallen back %d, dropped %d,"
                  + " slowest commit %d ms%n",
              seed,
              load.committedTotal(),
              views(db),
              load.inDoubt(),
              stats.pushesRetried(),
              stats.pushesSettledByStore(),
              stats.directFallbacks(),
              stats.deltasDropped(),
              slowest);
          assertThat(load.errors()).isEmpty();
          assertThat(stats.pushesSettledByStore())
              .as("retried pushes that other masters had applied")
              .isPositive();
          assertThat(stats.deltasDropped()).isZero();
          assertThat(slowest)
              .as("slowest commit, ms (slowest before the fault: %d ms)", slowestBefore)
              .isLessThan(CommitLoad.slowestCommitBound(slowestBefore));
        }
      } finally {
        factory.close();
        client.shutdown();
      }
    }
  }

  private static long views(TestDatabase db) {
    return Boot.queryLong(db, "select coalesce(sum(views), 0) from post");
  }
}
