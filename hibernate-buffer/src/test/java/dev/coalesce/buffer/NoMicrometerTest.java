package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Run by the surefire execution {@code no-micrometer}, whose class path lacks micrometer-core: the
 * buffer works as before, and only the registry setting is refused.
 */
@RealServices
class NoMicrometerTest {

  @Test
  void theBufferRunsWithoutMicrometer(TestDatabase db, TestRedis redis) {
    assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry"))
        .as("this test must run without Micrometer on the class path")
        .isInstanceOf(ClassNotFoundException.class);
    EntityManagerFactory factory = Boot.boot(Boot.redisSettings(db, redis), Post.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      Boot.persistPosts(factory, 1);
      inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 7));
      assertThat(buffer.flush()).isEqualTo(1);
      assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(7);
      assertThat(buffer.stats().incrementsAccepted()).isEqualTo(1);
    } finally {
      factory.close();
    }
  }

  @Test
  void aRegistrySettingWithoutMicrometerFailsTheBootNamingIt(TestDatabase db) {
    Map<String, Object> settings = Boot.localSettings(db);
    settings.put(CoalesceSettings.METRICS_REGISTRY, new Object());
    assertThatThrownBy(() -> Boot.boot(settings, Post.class))
        .hasStackTraceContaining(
            "Invalid setting "
                + CoalesceSettings.METRICS_REGISTRY
                + ": Micrometer (io.micrometer:micrometer-core) is not on the class path");
  }
}
