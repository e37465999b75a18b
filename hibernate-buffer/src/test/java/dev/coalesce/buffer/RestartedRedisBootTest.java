package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Redisson remembers, for the whole JVM, which scripts each server address has, and sends the
 * script calls of a pipeline to an address it remembers as {@code EVALSHA}. On a Redis started
 * again at such an address (a restart), the buffer's first pipeline, reading the partitions' epochs
 * at boot, met {@code NOSCRIPT}: a warning that Redis was unreachable at boot. The buffer loads its
 * scripts at start.
 */
@RealServices
class RestartedRedisBootTest {

  @Test
  void aBufferBootedOnARedisStartedAgainAtAKnownAddressPushesAtOnce(TestDatabase db) {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      // a first factory: Redisson now remembers the buffer's scripts at this address
      TestRedisClients.usedThenRestarted(server, first -> boot(db, first).close());

      RedissonClient client =
          TestRedisClients.failingAfter(server.address(), Duration.ofSeconds(2));
      try (CapturedLogs logs = CapturedLogs.of("dev.coalesce")) {
        EntityManagerFactory factory = boot(db, client);
        try {
          Boot.persistPosts(factory, 1);
          CounterBuffer buffer = CounterBuffer.of(factory);
          inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 5));

          assertThat(logs.warningsAndErrors())
              .as("warnings of a boot on a restarted Redis")
              .isEmpty();
          BufferStats stats = buffer.stats();
          assertThat(stats.pushesRetried()).as("pushes sent again").isZero();
          assertThat(stats.directFallbacks()).as("commits written to the database").isZero();
          assertThat(buffer.pending(Post.class, 1L, "views"))
              .as("the increment in Redis")
              .isEqualTo(5);
        } finally {
          factory.close();
        }
      } finally {
        client.shutdown();
      }
    }
  }

  private static RedissonClient client(RedisServerProcess server) {
    return TestRedisClients.failingAfter(server.address(), Duration.ofSeconds(2));
  }

  private static EntityManagerFactory boot(TestDatabase db, RedissonClient client) {
    Map<String, Object> settings = Boot.localSettings(db);
    settings.put(BufferSettings.REDIS_CLIENT, client);
    settings.put(BufferSettings.NAMESPACE, "restarted");
    return Boot.boot(settings, Post.class);
  }
}
