package dev.coalesce.buffer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, item 5, the push's step: the pusher stops dead after Redis applied a push and before it
 * learns so (a frozen or dying process). Another node recovers the partitions; the stopped pusher,
 * when it goes on, finds its reply lost, sends the push again and Redis tells it the push is
 * applied: nothing counts twice.
 */
@RealServices
class PushCrashTest {

  @AfterEach
  void noFault() {
    Pusher.afterStoreApplied = null;
  }

  @Test
  void aPusherStoppedAfterRedisAppliedItsPushNeitherLosesNorDoubles(
      TestDatabase db, TestRedis redis) throws Exception {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    EntityManagerFactory nodeA = Boot.boot(settings, Post.class);
    EntityManagerFactory nodeB = null;
    CountDownLatch goOn = new CountDownLatch(1);
    try {
      Boot.persistPosts(nodeA, 3);
      CounterBuffer bufferA = CounterBuffer.of(nodeA);
      CountDownLatch stopped = new CountDownLatch(1);
      Pusher.afterStoreApplied =
          () -> {
            stopped.countDown();
            try {
              goOn.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            // when it goes on, the reply it waited for is gone, as after a broken connection
            throw new IllegalStateException("reply lost (injected)");
          };

      long start = System.nanoTime();
      Boot.inTx(
          nodeA,
          em -> {
            bufferA.increment(em, Post.class, 1L, "views", 7);
            bufferA.increment(em, Post.class, 2L, "likes", 3);
          });
      long commitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(stopped.await(10, TimeUnit.SECONDS)).as("the pusher reached the fault").isTrue();
      Pusher.afterStoreApplied = null;
      System.out.printf("commit returned after %d ms with its pusher stopped%n", commitMillis);
      assertThat(commitMillis).as("commit waits at most the push timeout").isLessThan(1000);

      // node A is as good as dead; node B starts on the same database and Redis and flushes
      settings.put("hibernate.hbm2ddl.auto", "none");
      nodeB = Boot.boot(settings, Post.class);
      CounterBuffer.of(nodeB).flush();
      assertThat(Boot.queryLong(db, "select views from post where id = 1")).isEqualTo(7);
      assertThat(Boot.queryLong(db, "select likes from post where id = 2")).isEqualTo(3);

      // node A goes on: its retry is answered "already applied"
      goOn.countDown();
      await("node A settles its push")
          .atMost(Duration.ofSeconds(10))
          .until(() -> bufferA.stats().deltasQueued() == 0);
      assertThat(bufferA.stats().pushesRetried()).isEqualTo(1);
      assertThat(bufferA.stats().pushesSettledByStore()).isEqualTo(1);
      bufferA.flush();
      CounterBuffer.of(nodeB).flush();
      assertThat(Boot.queryLong(db, "select views from post where id = 1")).isEqualTo(7);
      assertThat(Boot.queryLong(db, "select likes from post where id = 2")).isEqualTo(3);
    } finally {
      goOn.countDown();
      nodeA.close();
      if (nodeB != null) {
        nodeB.close();
      }
    }
  }
}
