package dev.coalesce.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestRedis;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

@RealServices
class RedisClockTest {

  @Test
  void offsetIsMeasuredFromTheMiddleOfTheRoundTrip() {
    AtomicLong local = new AtomicLong(1_000_000);
    // each local reading advances 100 us: the TIME call took 100 us, server is 5 s ahead
    RedisClock clock = new RedisClock(() -> local.getAndAdd(100), () -> 1_000_050 + 5_000_000);
    assertThat(clock.isSynced()).isFalse();
    clock.sync();
    assertThat(clock.offsetMicros()).isEqualTo(5_000_000);
    assertThat(clock.uncertaintyMicros()).isEqualTo(50);
    long nextLocalReading = local.get();
    assertThat(clock.nowMicros()).isEqualTo(nextLocalReading + 5_000_000);
  }

  @Test
  void aMuchSlowerReadingDoesNotReplaceAPreciseOne() {
    AtomicLong local = new AtomicLong(0);
    List<Long> steps = new java.util.ArrayList<>(List.of(10L, 10L, 1_000_000L, 1_000_000L));
    long[] server = {1_000};
    RedisClock clock =
        new RedisClock(
            () -> local.addAndGet(steps.isEmpty() ? 0 : steps.remove(0)), () -> server[0]);
    clock.sync();
    long precise = clock.offsetMicros();
    server[0] = 99_000_000;
    clock.sync();
    assertThat(clock.offsetMicros()).isEqualTo(precise);
  }

  @Test
  void agreesWithRedisTime(TestRedis redis) {
    Config config = new Config();
    config.useSingleServer().setAddress(redis.address());
    RedissonClient client = Redisson.create(config);
    try {
      RedisClock clock = RedisClock.of(client);
      clock.sync();
      List<?> time = (List<?>) redis.command("TIME");
      long server =
          Long.parseLong((String) time.get(0)) * 1_000_000 + Long.parseLong((String) time.get(1));
      assertThat(Math.abs(clock.nowMicros() - server)).isLessThan(50_000);
      assertThat(clock.isSynced()).isTrue();
    } finally {
      client.shutdown();
    }
  }
}
