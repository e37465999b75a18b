package dev.coalesce.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisReplicaPair;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.Resp;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A claim counts only once a replica has it ({@code wait_replicas=1}), also when its primary dies
 * during the claim's {@code WAIT}. Claims are sent with Redisson's own retries on; had Redisson
 * taken the claim's reply and resent only the unanswered {@code WAIT} (which it does for the
 * commands of a batch that were answered), the promoted replica would have answered it with its own
 * replica, the claim it never saw would have been applied, and its deltas, still live there,
 * claimed and applied again. Redisson 4.3.1 decodes a batch's replies only once all of them are in,
 * so it resends the whole batch; this keeps it so.
 *
 * <p>Here the client reaches Redis through a proxy at a fixed address (as a Sentinel client reaches
 * "the master"): the primary runs the claim while its replica's link is frozen, the replica is
 * promoted and given a replica of its own, the proxy is pointed at it, and the old primary is
 * killed while the claim's {@code WAIT} blocks.
 */
@RealServices
class ClaimWaitRetryTest {

  @Test
  void aClaimWhoseWaitWasAnsweredByAnotherServerIsNotApplied(TestDatabase db) throws Exception {
    try (RedisReplicaPair pair = RedisReplicaPair.start();
        CountingRedisProxy proxy =
            CountingRedisProxy.start(pair.primary().host(), pair.primary().port());
        RedisServerProcess newReplica = RedisServerProcess.start()) {
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_ADDRESS, proxy.address());
      settings.put(BufferSettings.NAMESPACE, "claimwait");
      settings.put(BufferSettings.WAIT_REPLICAS, "1");
      // WAIT blocks for 4 x push timeout: 10 s, time to fail over while it does
      settings.put(BufferSettings.PUSH_TIMEOUT, "2500ms");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        Boot.persistPosts(factory, 1);
        Boot.inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 3));
        await("pushed and on the replica")
            .atMost(Duration.ofSeconds(20))
            .until(() -> buffer.stats().deltasQueued() == 0);
        pair.awaitInSync();

        pair.freezeReplication();
        CompletableFuture<Void> flush = CompletableFuture.runAsync(buffer::flush);
        RedisServerProcess primary = pair.primary();
        await("the primary ran the claim (its WAIT now blocks)")
            .atMost(Duration.ofSeconds(20))
            .until(() -> !keys(primary, "claimwait:buf:*:inflight").isEmpty());
        assertThat(keys(pair.replica(), "claimwait:buf:*:inflight"))
            .as("the replica has not received the claim")
            .isEmpty();

        // the failover: the replica (without the claim) is promoted and gets a replica of its own
        RedisServerProcess promoted = pair.replica();
        command(promoted, "REPLICAOF", "NO", "ONE");
        command(newReplica, "REPLICAOF", promoted.host(), Integer.toString(promoted.port()));
        await("the promoted primary's replica in sync")
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    String.valueOf(command(promoted, "INFO", "replication"))
                        .contains("state=online"));
        proxy.retarget(promoted.host(), promoted.port());
        primary.stop(); // during the claim's WAIT

        try {
          flush.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // the claim failed with its primary (Redisson resends the whole batch, NOSCRIPT on the
          // new one): it stays live there, for the next flush
        }
        await("flushes drain the new primary")
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(
                () -> {
                  buffer.flush();
                  Duration age = buffer.stats().oldestPendingAge();
                  return age != null && age.isZero();
                });
        assertThat(Boot.queryLong(db, "select views from post where id = 1"))
            .as("the increment of 3, applied once")
            .isEqualTo(3);
      } finally {
        factory.close();
      }
    }
  }

  private static List<?> keys(RedisServerProcess server, String pattern) {
    return (List<?>) command(server, "KEYS", pattern);
  }

  private static Object command(RedisServerProcess server, String... args) {
    try (Resp resp = new Resp(server.host(), server.port())) {
      return resp.command(args);
    }
  }
}
