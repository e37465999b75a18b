package dev.coalesce.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisReplicaPair;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code wait_replicas=1} is enforced: while the replica's link is frozen (it answers, but receives
 * nothing), a push is not acknowledged (it stays in doubt and is retried) and a flush applies
 * nothing; once the link thaws, the push settles and the flush applies it once.
 */
@RealServices
class WaitReplicasTest {

  @Test
  void nothingCountsUntilTheReplicaHasIt(TestDatabase db) {
    try (RedisReplicaPair pair = RedisReplicaPair.start()) {
      pair.awaitInSync();
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_ADDRESS, pair.primary().address());
      settings.put(BufferSettings.NAMESPACE, "wait");
      settings.put(BufferSettings.WAIT_REPLICAS, "1");
      settings.put(BufferSettings.PUSH_TIMEOUT, "100ms");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        Boot.persistPosts(factory, 1);
        Boot.inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 2));
        await("acknowledged with the replica in sync")
            .atMost(Duration.ofSeconds(10))
            .until(() -> buffer.stats().deltasQueued() == 0);
        // (the first push may be sent twice while Redis learns the script: it still counts once)
        long retriedInSync = buffer.stats().pushesRetried();

        pair.freezeReplication();
        Boot.inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 5));
        await("the push is retried for want of a replica")
            .atMost(Duration.ofSeconds(20))
            .until(() -> buffer.stats().pushesRetried() > retriedInSync);
        assertThat(buffer.stats().deltasQueued()).as("not acknowledged while frozen").isPositive();
        assertThatThrownBy(buffer::flush)
            .as("a claim is not applied before the replica has it")
            .isInstanceOf(RuntimeException.class);
        assertThat(Boot.queryLong(db, "select views from post where id = 1")).isZero();

        pair.resumeReplication();
        await("the push settles once the replica has it")
            .atMost(Duration.ofSeconds(30))
            .until(() -> buffer.stats().deltasQueued() == 0);
        await("the flush applies everything once")
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(
                () -> {
                  buffer.flush();
                  return Boot.queryLong(db, "select views from post where id = 1") == 7;
                });
        buffer.flush();
        assertThat(Boot.queryLong(db, "select views from post where id = 1")).isEqualTo(7);
        System.out.printf("WaitReplicasTest: stats after the thaw %s%n", buffer.stats());
      } finally {
        factory.close();
      }
    }
  }
}
