package dev.coalesce.samples.tracker.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestRedis;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** The Redis sorted-set stream and its in-JVM fallback behave the same. */
@RealServices
class IssueStreamTest {

  private static RedissonClient client;
  private static String prefix;

  @BeforeAll
  static void connect(TestRedis redis) {
    Config config = new Config();
    config.useSingleServer().setAddress(redis.address());
    client = Redisson.create(config);
    prefix = redis.namespace() + ":stream";
  }

  @AfterAll
  static void disconnect() {
    client.shutdown();
  }

  @Test
  void newestFirstCappedAndASeenIssueMovesToTheTop() {
    for (IssueStream stream :
        List.of(new LocalIssueStream(3), new RedisIssueStream(client, prefix, 3))) {
      stream.add(1, 10, Instant.ofEpochMilli(1_000));
      stream.add(1, 11, Instant.ofEpochMilli(2_000));
      stream.add(1, 12, Instant.ofEpochMilli(3_000));
      stream.add(2, 20, Instant.ofEpochMilli(3_500));
      assertThat(stream.recent(1, 10))
          .as(stream.getClass().getSimpleName())
          .containsExactly(12L, 11L, 10L);

      stream.add(1, 10, Instant.ofEpochMilli(4_000)); // seen again: to the top
      assertThat(stream.recent(1, 10)).containsExactly(10L, 12L, 11L);

      stream.add(1, 13, Instant.ofEpochMilli(5_000)); // a fourth id: the oldest is trimmed
      assertThat(stream.recent(1, 10)).containsExactly(13L, 10L, 12L);
      assertThat(stream.recent(1, 2)).containsExactly(13L, 10L);
      assertThat(stream.recent(2, 10)).containsExactly(20L);
      assertThat(stream.recent(3, 10)).isEmpty();
    }
  }

  @Test
  void theRedisStreamIsOneCappedSortedSetPerProject(TestRedis redis) {
    IssueStream stream = new RedisIssueStream(client, prefix, 5);
    for (int i = 0; i < 50; i++) {
      stream.add(7, 100 + i, Instant.ofEpochMilli(10_000 + i));
    }
    assertThat(redis.command("ZCARD", prefix + ":7")).isEqualTo(5L);
    assertThat(stream.recent(7, 5)).containsExactly(149L, 148L, 147L, 146L, 145L);
  }

  @Test
  void aCapBelowOneIsRefused() {
    assertThatThrownBy(() -> new LocalIssueStream(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stream capacity must be at least 1, was 0");
  }
}
