package dev.coalesce.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.cache.CacheSettings;
import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.redis.internal.KnownSettings;
import dev.coalesce.redis.internal.SettingsReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** What the auto-configuration contributes without a database: properties, back-off, metadata. */
class AutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(CoalesceAutoConfiguration.class));

  @Test
  void everyPropertyBecomesAKeyTheModulesRead() {
    runner
        .withPropertyValues(
            "coalesce.redis.address=redis://127.0.0.1:6379",
            "coalesce.buffer.store=local",
            "coalesce.cache.store=local",
            "coalesce.cache.region-ttl.Article=10m")
        .run(
            context -> {
              Map<String, Object> hibernate =
                  customize(
                      context.getBean(
                          "coalesceHibernateProperties", HibernatePropertiesCustomizer.class));
              Set<String> known = new HashSet<>();
              known.addAll(
                  KnownSettings.constantsOf(CoalesceSettings.class, CoalesceSettings.PREFIX));
              known.addAll(
                  KnownSettings.constantsOf(BufferSettings.class, CoalesceSettings.PREFIX));
              known.addAll(KnownSettings.constantsOf(CacheSettings.class, CoalesceSettings.PREFIX));
              known.add(CacheSettings.REGION_PREFIX + "Article" + CacheSettings.REGION_TTL_SUFFIX);
              known.add("hibernate.cache.use_second_level_cache");
              known.add("hibernate.cache.region.factory_class");
              assertThat(known).containsAll(hibernate.keySet());
              assertThat(hibernate)
                  .containsEntry(BufferSettings.FLUSH_INTERVAL, "PT5S")
                  .containsEntry(BufferSettings.STORE, "local")
                  .containsEntry("hibernate.coalesce.cache.region.Article.ttl", "PT10M")
                  .containsEntry(CoalesceSettings.REDIS_ADDRESS, "redis://127.0.0.1:6379");
            });
  }

  @Test
  void theDefaultsAreTheModulesDefaults() {
    CoalesceProperties defaults = new CoalesceProperties();
    assertThat(defaults.getBuffer().getFlushInterval())
        .isEqualTo(BufferSettings.DEFAULT_FLUSH_INTERVAL);
    assertThat(defaults.getBuffer().getPartitions()).isEqualTo(BufferSettings.DEFAULT_PARTITIONS);
    assertThat(defaults.getBuffer().getMaxRowsPerFlush())
        .isEqualTo(BufferSettings.DEFAULT_MAX_ROWS_PER_FLUSH);
    assertThat(defaults.getBuffer().getShutdownTimeout())
        .isEqualTo(BufferSettings.DEFAULT_SHUTDOWN_TIMEOUT);
    assertThat(defaults.getBuffer().getPushTimeout())
        .isEqualTo(BufferSettings.DEFAULT_PUSH_TIMEOUT);
    assertThat(defaults.getBuffer().getMaxQueuedDeltas())
        .isEqualTo(BufferSettings.DEFAULT_MAX_QUEUED_DELTAS);
    assertThat(defaults.getCache().getTtl()).isEqualTo(duration(CacheSettings.DEFAULT_TTL));
    assertThat(defaults.getCache().getLockTimeout())
        .isEqualTo(duration(CacheSettings.DEFAULT_LOCK_TIMEOUT));
    assertThat(defaults.getCache().getClockSyncInterval())
        .isEqualTo(duration(CacheSettings.DEFAULT_CLOCK_SYNC_INTERVAL));
    assertThat(defaults.getCache().getBatchPrefetchLimit())
        .isEqualTo(CacheSettings.DEFAULT_BATCH_PREFETCH_LIMIT);
    assertThat(defaults.getCache().getWaitReplicas()).isZero();
    assertThat(defaults.getCache().getWaitReplicasTimeout())
        .isEqualTo(duration(CacheSettings.DEFAULT_WAIT_REPLICAS_TIMEOUT));
    assertThat(defaults.getRedis().getNamespace()).isEqualTo(CoalesceSettings.DEFAULT_NAMESPACE);
  }

  @Test
  void coalesceEnabledFalseContributesNothing() {
    runner
        .withPropertyValues("coalesce.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(CoalesceProperties.class);
              assertThat(context).doesNotHaveBean(HibernatePropertiesCustomizer.class);
              assertThat(context).doesNotHaveBean(MultiGetRepositories.class);
            });
  }

  @Test
  void withoutTheModulesNoneOfTheirSettingsIsPassed() {
    runner
        .withClassLoader(
            new FilteredClassLoader(
                "dev.coalesce.buffer.", "dev.coalesce.cache.", "dev.coalesce.spring."))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(MultiGetRepositories.class);
              Map<String, Object> hibernate =
                  customize(
                      context.getBean(
                          "coalesceHibernateProperties", HibernatePropertiesCustomizer.class));
              assertThat(hibernate.keySet()).containsExactlyInAnyOrder(CoalesceSettings.NAMESPACE);
            });
  }

  @Test
  void withTheModulesRepositoriesGetTheMultiGetBaseClass() {
    runner.run(context -> assertThat(context).hasSingleBean(MultiGetRepositories.class));
  }

  @Test
  void theIdeMetadataNamesEveryPropertyWithItsTypeAndDefault() throws IOException {
    String metadata;
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    }
    assertThat(metadata)
        .contains(
            "\"name\": \"coalesce.buffer.flush-interval\", \"type\": \"java.time.Duration\","
                + " \"description\": \"Time between two background flushes.\","
                + " \"sourceType\": \"dev.coalesce.spring.boot.CoalesceProperties$Buffer\","
                + " \"defaultValue\": \"5s\"")
        .contains("\"name\": \"coalesce.health.max-pending-age\"")
        .contains("\"name\": \"coalesce.enabled\"");
  }

  private static Map<String, Object> customize(HibernatePropertiesCustomizer customizer) {
    Map<String, Object> hibernate = new HashMap<>();
    customizer.customize(hibernate);
    return hibernate;
  }

  private static Duration duration(String value) {
    return new SettingsReader(Map.of("k", value)).duration("k", null);
  }
}
