package dev.coalesce.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.spring.boot.app.Article;
import dev.coalesce.spring.boot.app.ArticleRepository;
import dev.coalesce.spring.boot.app.StarterApplication;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.config.Config;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An application with the starter and only {@code coalesce.*} properties (plus the data source),
 * against real PostgreSQL and Redis: counters are buffered, {@code findAllById} of a plain
 * repository reads the cache, the application's RedissonClient and MeterRegistry are used.
 */
@RealServices
@SpringBootTest(
    classes = {StarterApplication.class, StarterTest.ApplicationRedis.class},
    properties = {
      "coalesce.buffer.flush-interval=1h",
      "spring.jpa.hibernate.ddl-auto=create-drop",
      "spring.jpa.properties.hibernate.generate_statistics=true"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class StarterTest {

  private static TestDatabase database;
  private static TestRedis redis;
  private static RedissonClient applicationClient;

  @BeforeAll
  static void services(TestDatabase testDatabase, TestRedis testRedis) {
    database = testDatabase;
    redis = testRedis;
    Config config = new Config();
    config.useSingleServer().setAddress("redis://" + redis.host() + ":" + redis.port());
    applicationClient = Redisson.create(config);
  }

  @AfterAll
  static void closeClient() {
    applicationClient.shutdown();
  }

  @DynamicPropertySource
  static void connectionDetails(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> database.jdbcUrl());
    registry.add("spring.datasource.username", () -> database.user());
    registry.add("spring.datasource.password", () -> database.password());
    registry.add("spring.jpa.properties.hibernate.default_schema", () -> database.schema());
    registry.add("coalesce.redis.namespace", () -> redis.namespace());
  }

  /** The application's own RedissonClient bean; no coalesce.redis.address is given. */
  @TestConfiguration
  static class ApplicationRedis {
    @Bean(destroyMethod = "")
    RedissonClient redissonClient() {
      return applicationClient;
    }
  }

  @Autowired ArticleRepository articles;
  @Autowired CounterBuffer buffer;
  @Autowired EntityManagerFactory entityManagerFactory;
  @Autowired TransactionTemplate transactions;
  @Autowired JdbcTemplate jdbc;
  @Autowired MeterRegistry meterRegistry;

  @Test
  void theCoalescePropertiesAndTheApplicationsBeansReachHibernate() {
    var hibernate = entityManagerFactory.getProperties();
    assertThat(hibernate.get("hibernate.coalesce.buffer.flush_interval")).isEqualTo("PT1H");
    assertThat(hibernate.get(CoalesceSettings.NAMESPACE)).isEqualTo(redis.namespace());
    assertThat(hibernate.get(CoalesceSettings.REDIS_CLIENT)).isSameAs(applicationClient);
    assertThat(hibernate.get(CoalesceSettings.METRICS_REGISTRY)).isSameAs(meterRegistry);
    assertThat(hibernate.get("hibernate.cache.region.factory_class")).isEqualTo("multiget");
  }

  @Test
  void countersGoToTheApplicationsRedisAndReachTheDatabaseAtTheFlush() {
    articles.save(new Article(1L, "counted"));
    double before = increments();
    for (int i = 0; i < 3; i++) {
      transactions.executeWithoutResult(
          status -> {
            Article article = articles.findById(1L).orElseThrow();
            article.setViews(article.getViews() + 1);
          });
    }
    assertThat(views(1L)).as("buffered, not yet in the database").isZero();
    assertThat(buffer.pending(Article.class, 1L, "views")).isEqualTo(3);
    // the delta is in the application's Redis, under the configured namespace
    assertThat(
            applicationClient
                .getKeys()
                .getKeys(
                    KeysScanOptions.defaults().pattern(redis.namespace() + ":buf:*").chunkSize(10)))
        .isNotEmpty();
    assertThat(increments() - before).as("coalesce.buffer.increments").isEqualTo(3);

    assertThat(buffer.flush()).isEqualTo(1);
    assertThat(views(1L)).isEqualTo(3);
  }

  @Test
  void findAllByIdOfAPlainRepositoryReadsTheCache() {
    articles.saveAll(List.of(new Article(11L, "a"), new Article(12L, "b"), new Article(13L, "c")));
    List<Long> ids = List.of(11L, 12L, 13L);
    articles.findAllById(ids); // fills the cache
    Statistics statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
    statistics.clear();

    assertThat(articles.findAllById(ids)).extracting(Article::getId).containsExactly(11L, 12L, 13L);
    assertThat(statistics.getPrepareStatementCount()).as("SQL statements").isZero();
    assertThat(statistics.getSecondLevelCacheHitCount()).isEqualTo(3);
  }

  private double increments() {
    var counter = meterRegistry.find("coalesce.buffer.increments").counter();
    return counter == null ? 0 : counter.count();
  }

  private long views(long id) {
    return jdbc.queryForObject(
        "select views from " + database.schema() + ".article where id = ?", Long.class, id);
  }
}
