package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Redisson remembers, for the whole JVM, which scripts each server address has, and sends the
 * script calls of a pipeline to an address it remembers as {@code EVALSHA}. A Redis started again
 * at an address this JVM used before (a restart; in a test run, a new server on a port an earlier
 * test's server had) has no scripts: the boot's region clear, a pipeline, met {@code NOSCRIPT}, the
 * cache began an outage, and for 3 s the new factory cached and served nothing, with a warning that
 * scripts had been lost. CI failed three cache tests that way. The cache loads its script at start.
 */
@RealServices
class RestartedRedisBootTest {

  static final List<Long> IDS = LongStream.rangeClosed(1, 20).boxed().toList();

  @Test
  void aFactoryBootedOnARedisStartedAgainAtAKnownAddressServesAtOnce(TestDatabase db) {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      // a first factory: Redisson now remembers entry.lua at this address
      TestRedisClients.usedThenRestarted(server, first -> boot(db, first).close());

      RedissonClient client =
          TestRedisClients.failingAfter(server.address(), Duration.ofSeconds(2));
      try (CapturedLogs logs = CapturedLogs.of("dev.coalesce")) {
        SessionFactory factory = boot(db, client);
        try {
          CacheReport atBoot = CacheReport.of(factory).orElseThrow();
          factory.inTransaction(
              session -> IDS.forEach(id -> session.persist(new Post(id, "post " + id))));
          factory.inTransaction(session -> session.findMultiple(Post.class, IDS));
          Statistics stats = Boot.settled(factory);
          stats.clear();
          factory.inTransaction(session -> session.findMultiple(Post.class, IDS));

          assertThat(logs.warningsAndErrors())
              .as("warnings of a boot on a restarted Redis")
              .isEmpty();
          assertThat(atBoot.failedCalls()).as("failed calls at boot (%s)", atBoot).isZero();
          assertThat(atBoot.servingCachedReads()).as("serving at boot (%s)", atBoot).isTrue();
          assertThat(stats.getSecondLevelCacheHitCount())
              .as("hits of the second load, right after boot (%s)", Boot.cacheState(factory))
              .isEqualTo(IDS.size());
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

  private static SessionFactory boot(TestDatabase db, RedissonClient client) {
    return Boot.factory(
        db,
        Map.of(CoalesceSettings.REDIS_CLIENT, client, CoalesceSettings.NAMESPACE, "restarted"),
        Post.class,
        Author.class);
  }
}
