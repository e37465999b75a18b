package dev.coalesce.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 11, item 6: a bad value of any Coalesce setting fails the boot with a message naming it,
 * before anything connects to Redis: here Redis's port is closed, and the boot still reports the
 * setting (it used to wait for Redis first, 7 to 17 s, and report that).
 */
@RealServices
class BootValidationTest {

  @ParameterizedTest
  @CsvSource({
    "hibernate.coalesce.cache.ttl, soon",
    "hibernate.coalesce.buffer.flush_interval, often",
    "hibernate.coalesce.buffer.partitions, -1",
  })
  void aBadValueFailsTheBootBeforeRedisIsConnected(String setting, String value, TestDatabase db) {
    RedisServerProcess closed = RedisServerProcess.start();
    closed.stop();
    Map<String, Object> settings = db.hibernateProperties();
    settings.put("hibernate.coalesce.redis.address", closed.address());
    settings.put("hibernate.cache.use_second_level_cache", "true");
    settings.put("hibernate.cache.region.factory_class", "multiget");
    settings.put(setting, value);
    long started = System.nanoTime();
    Throwable failure =
        catchThrowable(
            () ->
                new HibernatePersistenceConfiguration("boot-validation")
                    .managedClasses(Article.class)
                    .properties(settings)
                    .createEntityManagerFactory()
                    .close());
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf("%s=%s: the boot failed after %d ms%n", setting, value, tookMillis);
    assertThat(failure).isNotNull();
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString())
        .contains(setting)
        .contains(value)
        .doesNotContain("Cannot connect to Redis");
    assertThat(tookMillis).as("before any connection attempt").isLessThan(3_000);
  }
}
