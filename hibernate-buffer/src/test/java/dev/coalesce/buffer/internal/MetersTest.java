package dev.coalesce.buffer.internal;

import static dev.coalesce.buffer.Boot.execute;
import static dev.coalesce.buffer.Boot.inTx;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.BufferStats;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.PartitionsFailedException;
import dev.coalesce.buffer.Post;
import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * The buffer's meters in a registry given through {@value CoalesceSettings#METRICS_REGISTRY}, after
 * a known workload: increments, a failed and a successful flush transaction, a row set aside, a
 * fallback while Redis is down; the pending age as the background schedule reads it.
 */
@RealServices
class MetersTest {

  private static final String FACTORY = "meters-test";

  @Test
  void everyBufferMeterShowsTheWorkload(TestDatabase db) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RedisServerProcess server = RedisServerProcess.start()) {
      // the push timeout below, not the client's, decides when a slow push counts as failed
      RedissonClient client =
          TestRedisClients.failingAfter(server.address(), Duration.ofSeconds(5));
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "meters");
      settings.put(BufferSettings.PARTITIONS, "1");
      settings.put(BufferSettings.FLUSH_INTERVAL, "100ms");
      settings.put(BufferSettings.SHUTDOWN_TIMEOUT, "2s");
      // each commit returns only once its push is in Redis, however slow the machine, so the
      // counts below are exact
      settings.put(BufferSettings.PUSH_TIMEOUT, "30s");
      settings.put(CoalesceSettings.METRICS_REGISTRY, registry);
      Boot.name(settings, FACTORY);
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
        Flusher flusher = Flusher.of(factory.unwrap(SessionFactoryImplementor.class));
        AtomicBoolean failNextTransaction = new AtomicBoolean();
        flusher.faults =
            new FlushFaults() {
              @Override
              public void beforeFlush() {
                // the background flush leaves everything pending; CounterBuffer.flush() runs
                if (Thread.currentThread().getName().equals("coalesce-buffer-flusher")) {
                  throw new IllegalStateException("background flush held back by the test");
                }
              }

              @Override
              public void afterRowUpdates(Claim claim) {
                if (failNextTransaction.getAndSet(false)) {
                  throw new IllegalStateException("flush transaction failed by the test");
                }
              }
            };
        CounterBuffer buffer = CounterBuffer.of(factory);
        Boot.persistPosts(factory, 3);
        execute(db, "update post set likes = " + (Integer.MAX_VALUE - 1) + " where id = 3");

        inTx(
            factory,
            em -> {
              buffer.increment(em, Post.class, 1L, "views", 1);
              buffer.increment(em, Post.class, 2L, "views", 1);
            });
        inTx(factory, em -> buffer.increment(em, Post.class, 3L, "likes", 5)); // will overflow
        inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 3));

        assertThat(count(registry, "coalesce.buffer.increments")).isEqualTo(4);
        assertThat(count(registry, "coalesce.buffer.deltas.pushed")).isEqualTo(4);
        // each of the 3 commits waited for its push, which Redis answered
        var commitWait =
            registry.get("coalesce.buffer.commit.wait").tags("factory", FACTORY).timer();
        assertThat(commitWait.count()).isEqualTo(3);
        assertThat(commitWait.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        assertThat(gauge(registry, "coalesce.buffer.deltas.queued")).isZero();
        assertThat(gauge(registry, "coalesce.redis.available")).isEqualTo(1);
        // read in the background every flush interval, from Redis time
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> gauge(registry, "coalesce.buffer.pending.age") >= 0.3);

        failNextTransaction.set(true);
        assertThatThrownBy(buffer::flush).isInstanceOf(PartitionsFailedException.class);
        assertThat(flushTimer(registry, "failure").count()).isEqualTo(1);
        assertThat(flushTimer(registry, "success").count()).isZero();

        assertThat(buffer.flush()).isEqualTo(2);
        assertThat(flushTimer(registry, "success").count()).isEqualTo(1);
        assertThat(
                flushTimer(registry, "success")
                    .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS))
            .isPositive();
        assertThat(count(registry, "coalesce.buffer.rows.flushed")).isEqualTo(2);
        assertThat(count(registry, "coalesce.buffer.rows.failed")).isEqualTo(1);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> gauge(registry, "coalesce.buffer.pending.age") == 0);

        server.stop();
        TestRedisClients.awaitUnreachable(client);
        inTx(factory, em -> buffer.increment(em, Post.class, 2L, "views", 1));
        assertThat(count(registry, "coalesce.buffer.fallbacks")).isEqualTo(1);
        assertThat(count(registry, "coalesce.buffer.increments")).isEqualTo(5);
        assertThat(gauge(registry, "coalesce.redis.available")).isZero();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> Double.isNaN(gauge(registry, "coalesce.buffer.pending.age")));

        BufferStats stats = buffer.stats();
        assertThat(count(registry, "coalesce.buffer.pushes.retried"))
            .isEqualTo(stats.pushesRetried())
            .isZero();
        assertThat(count(registry, "coalesce.buffer.pushes.settled"))
            .isEqualTo(stats.pushesSettledByStore())
            .isZero();
        assertThat(count(registry, "coalesce.buffer.queue.overflows"))
            .isEqualTo(stats.queueOverflows())
            .isZero();
        assertThat(count(registry, "coalesce.buffer.deltas.dropped"))
            .isEqualTo(stats.deltasDropped())
            .isZero();
        assertThat(count(registry, "coalesce.buffer.rows.flushed")).isEqualTo(stats.rowsFlushed());
        assertThat(count(registry, "coalesce.buffer.rows.failed")).isEqualTo(stats.rowsFailed());
        assertThat(count(registry, "coalesce.buffer.fallbacks")).isEqualTo(stats.directFallbacks());
        assertThat(count(registry, "coalesce.buffer.increments"))
            .isEqualTo(stats.incrementsAccepted());

        for (Meter meter : registry.getMeters()) {
          assertThat(meter.getId().getTag("factory"))
              .as(meter.getId().getName())
              .isEqualTo(FACTORY);
          System.out.println(meter.getId() + " " + meter.measure());
        }
        server.startAgain();
      } finally {
        factory.close();
        client.shutdown();
      }
      assertThat(registry.getMeters()).as("a closed factory publishes nothing").isEmpty();
    }
  }

  @Test
  void aRegistrySettingThatIsNoRegistryFailsTheBootNamingIt(TestDatabase db) {
    Map<String, Object> settings = Boot.localSettings(db);
    settings.put(CoalesceSettings.METRICS_REGISTRY, "prometheus");
    assertThatThrownBy(() -> Boot.boot(settings, Post.class))
        .hasStackTraceContaining(
            "Invalid value of type java.lang.String for setting "
                + CoalesceSettings.METRICS_REGISTRY
                + ": expected an io.micrometer.core.instrument.MeterRegistry instance");
  }

  private static double count(SimpleMeterRegistry registry, String name) {
    return registry.get(name).tag("factory", FACTORY).counter().count();
  }

  private static double gauge(SimpleMeterRegistry registry, String name) {
    return registry.get(name).tag("factory", FACTORY).gauge().value();
  }

  private static Timer flushTimer(SimpleMeterRegistry registry, String result) {
    return registry.get("coalesce.buffer.flush").tags("factory", FACTORY, "result", result).timer();
  }
}
