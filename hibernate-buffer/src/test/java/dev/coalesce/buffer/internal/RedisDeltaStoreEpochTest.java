package dev.coalesce.buffer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.redis.internal.KeyNamespace;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestRedis;
import dev.coalesce.testing.TestRedisClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The rule of the delta store that only Redis has (see {@link DeltaStoreContractTest}): a partition
 * whose data Redis lost gets a new epoch, and a retried push sent under the old one is refused and
 * handed back as lost, never applied twice.
 */
@RealServices
class RedisDeltaStoreEpochTest {

  @Test
  void aRetriedPushIsHandedBackAsLostWhenItsPartitionLostItsDataSinceItWasFirstSent(
      TestRedis redis) {
    RedissonClient client = TestRedisClients.failingAfter(redis.address(), Duration.ofSeconds(5));
    try (DeltaStore store =
        DeltaStore.redis(
            "epoch-test",
            client,
            new KeyNamespace(redis.namespace() + ":epoch"),
            2,
            Duration.ofSeconds(5),
            0)) {
      CounterKey views = new CounterKey("Post", "views", "1");
      int partition = views.partition(2);
      assertThat(store.push(new Push("n1", 1, Map.of(views, 1L), false)))
          .isEqualTo(PushReply.APPLIED);

      // Redis loses the partition (a restart without persistence would lose every key)
      List<String> partitionKeys =
          redis.keys().stream().filter(key -> key.contains(":{p" + partition + "}:")).toList();
      assertThat(partitionKeys).anyMatch(key -> key.endsWith(":epoch"));
      partitionKeys.forEach(key -> redis.command("DEL", key));

      assertThat(store.push(new Push("n1", 2, Map.of(views, 5L), true)))
          .isEqualTo(new PushReply(0, Map.of(views, 5L)));
      assertThat(store.pending(views)).isEqualTo(new PendingDelta(0, 0, 0));

      // a new push starts the partition's new epoch, which its own retry then carries
      Push next = new Push("n1", 3, Map.of(views, 7L), false);
      assertThat(store.push(next)).isEqualTo(PushReply.APPLIED);
      assertThat(store.push(next.asRetry())).isEqualTo(new PushReply(1, Map.of()));
      assertThat(store.pending(views)).isEqualTo(new PendingDelta(7, 0, 0));
    } finally {
      client.shutdown();
    }
  }
}
