package dev.coalesce.redis.internal;

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
  void aMuchSlowerMeasurementDoesNotReplaceAPreciseOne() {
    AtomicLong local = new AtomicLong(0);
    AtomicLong step = new AtomicLong(10);
    long[] server = {1_000};
    RedisClock clock = new RedisClock(() -> local.addAndGet(step.get()), () -> server[0]);
    clock.sync();
    long precise = clock.offsetMicros();
    step.set(1_000_000);
    server[0] = 99_000_000;
    clock.sync();
    assertThat(clock.offsetMicros()).isEqualTo(precise);
  }

  @Test
  void theFastestOfSeveralReadingsIsKeptSoASlowFirstReadingDoesNotSkewTheClock() {
    // Readings take 100 ms, 40 ms, then 80 us: the third one is precise enough.
    AtomicLong local = new AtomicLong(0);
    List<Long> roundTrips = new java.util.ArrayList<>(List.of(100_000L, 40_000L, 80L, 80L));
    long[] pendingRoundTrip = {0};
    RedisClock clock =
        new RedisClock(
            () -> local.addAndGet(pendingRoundTrip[0]),
            () -> {
              pendingRoundTrip[0] = roundTrips.remove(0);
              // the server is 7 s ahead and answers in the middle of the round trip
              return local.get() + pendingRoundTrip[0] / 2 + 7_000_000;
            });
    clock.sync();
    assertThat(clock.uncertaintyMicros()).isEqualTo(40);
    assertThat(clock.offsetMicros()).isEqualTo(7_000_000);
    assertThat(roundTrips).hasSize(1); // stopped at the first precise reading
  }

  @Test
  void aSyncTakesAtMostAFewReadingsEvenIfAllAreSlow() {
    AtomicLong readings = new AtomicLong();
    AtomicLong local = new AtomicLong(0);
    RedisClock clock =
        new RedisClock(
            () -> local.addAndGet(5_000),
            () -> {
              readings.incrementAndGet();
              return local.get();
            });
    clock.sync();
    assertThat(readings.get()).isEqualTo(RedisClock.MAX_SAMPLES);
    assertThat(clock.uncertaintyMicros()).isEqualTo(2_500);
  }

  @Test
  void agreesWithRedisTime(TestRedis redis) {
    Config config = new Config();
    config.useSingleServer().setAddress(redis.address());
    RedissonClient client = Redisson.create(config);
    try {
      RedisClock clock = RedisClock.of(client, Timing.system()::nowMicros);
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
