package dev.coalesce.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.spring.boot.app.Article;
import dev.coalesce.spring.boot.app.ArticleRepository;
import dev.coalesce.spring.boot.app.StarterApplication;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The health {@code coalesce} and the endpoint {@code /actuator/coalesce}, called over HTTP on an
 * application with the starter, against real PostgreSQL and Redis.
 */
@RealServices
@SpringBootTest(
    classes = StarterApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "coalesce.buffer.flush-interval=1h",
      "spring.jpa.hibernate.ddl-auto=create-drop",
      "management.endpoints.web.exposure.include=health,coalesce",
      "management.endpoint.health.show-details=always"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ActuatorTest {

  private static TestDatabase database;
  private static TestRedis redis;

  @BeforeAll
  static void services(TestDatabase testDatabase, TestRedis testRedis) {
    database = testDatabase;
    redis = testRedis;
  }

  @DynamicPropertySource
  static void connectionDetails(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> database.jdbcUrl());
    registry.add("spring.datasource.username", () -> database.user());
    registry.add("spring.datasource.password", () -> database.password());
    registry.add("spring.jpa.properties.hibernate.default_schema", () -> database.schema());
    registry.add("coalesce.redis.address", () -> "redis://" + redis.host() + ":" + redis.port());
    registry.add("coalesce.redis.namespace", () -> redis.namespace());
  }

  @LocalServerPort int port;
  @Autowired ArticleRepository articles;
  @Autowired TransactionTemplate transactions;
  @Autowired JdbcTemplate jdbc;
  @Autowired EntityManagerFactory entityManagerFactory;
  private ActuatorHttp http;

  @BeforeEach
  void client() {
    http = new ActuatorHttp(port);
    // nothing pending and no set-aside row left unreported by an earlier test
    assertThat(http.post("/actuator/coalesce").status()).isEqualTo(200);
    http.get("/actuator/health");
  }

  @Test
  void theHealthIsUpWithItsDetails() {
    ActuatorHttp.Reply health = http.get("/actuator/health");

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.<String>json("$.components.coalesce.status")).isEqualTo("UP");
    Map<String, Object> details = health.json("$.components.coalesce.details");
    assertThat(details)
        .containsEntry("storeReachable", true)
        .containsEntry("pendingAge", "PT0S")
        .containsEntry("maxPendingAge", "PT1M")
        .containsEntry("setAsideSinceLastCheck", 0)
        .containsKey("setAsideRows");
  }

  @Test
  void aPostFlushesPendingIncrementsIntoTheDatabase() {
    articles.save(new Article(31L, "flushed by a POST"));
    addViews(31L, 3);
    assertThat(views(31L)).as("buffered, not yet in the database").isZero();
    ActuatorHttp.Reply before = http.get("/actuator/coalesce");
    assertThat(before.<String>json("$.pendingAge")).isNotEqualTo("PT0S");
    List<Map<String, Object>> partitions = before.json("$.partitions");
    assertThat(partitions).hasSize(16);
    assertThat(partitions)
        .as("one counter of one row waits in one partition")
        .filteredOn(p -> !Integer.valueOf(0).equals(p.get("liveDeltas")))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p).containsEntry("liveDeltas", 1).containsEntry("inFlightDeltas", 0);
              assertThat(p.get("oldestAge")).isNotEqualTo("PT0S");
            });

    ActuatorHttp.Reply flushed = http.post("/actuator/coalesce");

    assertThat(flushed.status()).isEqualTo(200);
    assertThat(flushed.<Integer>json("$.rowsUpdated")).isEqualTo(1);
    assertThat(views(31L)).isEqualTo(3);
    ActuatorHttp.Reply after = http.get("/actuator/coalesce");
    assertThat(after.<String>json("$.pendingAge")).isEqualTo("PT0S");
    assertThat(after.<List<Map<String, Object>>>json("$.partitions"))
        .hasSize(16)
        .allSatisfy(
            p ->
                assertThat(p)
                    .containsEntry("liveDeltas", 0)
                    .containsEntry("inFlightDeltas", 0)
                    .containsEntry("oldestAge", "PT0S"));
    // the application's other tests flush too: this POST's own row is what the count gained
    assertThat(after.<Integer>json("$.buffer.rowsFlushed"))
        .isEqualTo(before.<Integer>json("$.buffer.rowsFlushed") + 1);
  }

  @Test
  void anOverflowIsShownAsASetAsideRowAndTurnsTheHealthDownOnce() {
    articles.save(new Article(41L, "about to overflow"));
    jdbc.update(
        "update " + database.schema() + ".article set views = ? where id = 41", Long.MAX_VALUE - 1);
    addViews(41L, 5);
    int failedBefore = http.get("/actuator/coalesce").<Integer>json("$.buffer.rowsFailed");

    ActuatorHttp.Reply flushed = http.post("/actuator/coalesce");
    assertThat(flushed.<Integer>json("$.rowsUpdated")).as("the row is set aside").isZero();

    ActuatorHttp.Reply report = http.get("/actuator/coalesce");
    assertThat(report.status()).isEqualTo(200);
    List<Map<String, Object>> rows = report.json("$.setAside.newest");
    assertThat(rows).isNotEmpty();
    assertThat(rows.get(0))
        .containsEntry("entity", Article.class.getName())
        .containsEntry("attribute", "views")
        .containsEntry("id", "41")
        .containsEntry("delta", 5);
    assertThat((String) rows.get(0).get("error")).startsWith("22003");
    assertThat(report.<Integer>json("$.buffer.rowsFailed")).isEqualTo(failedBefore + 1);

    ActuatorHttp.Reply down = http.get("/actuator/health");
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.<String>json("$.components.coalesce.status")).isEqualTo("DOWN");
    assertThat(down.<Integer>json("$.components.coalesce.details.setAsideSinceLastCheck"))
        .isEqualTo(1);

    ActuatorHttp.Reply next = http.get("/actuator/health");
    assertThat(next.<String>json("$.components.coalesce.status"))
        .as("the row was reported; the next check is up again")
        .isEqualTo("UP");
    assertThat(views(41L)).isEqualTo(Long.MAX_VALUE - 1);
  }

  @Test
  void theCacheRegionsAreShownWithTheirEntriesAndTheStoreState() {
    List<Long> ids = List.of(51L, 52L, 53L);
    ids.forEach(id -> articles.save(new Article(id, "cached " + id)));
    entityManagerFactory.getCache().evict(Article.class);
    assertThat(cacheRegion("Article").get("entries")).isEqualTo(0);

    assertThat(articles.findAllById(ids)).hasSize(3); // one multi-get, three write-backs

    ActuatorHttp.Reply report = http.get("/actuator/coalesce");
    assertThat(report.<String>json("$.cache.store")).isEqualTo("redis");
    assertThat(report.<Boolean>json("$.cache.reachable")).isTrue();
    assertThat(report.<Boolean>json("$.cache.servingCachedReads")).isTrue();
    assertThat(report.<Object>json("$.cache.outageFor")).isNull();
    assertThat(report.<Integer>json("$.cache.failedCalls")).isZero();
    assertThat(cacheRegion("Article").get("entries")).isEqualTo(3);
  }

  private Map<String, Object> cacheRegion(String simpleName) {
    List<Map<String, Object>> regions = http.get("/actuator/coalesce").json("$.cache.regions");
    return regions.stream()
        .filter(r -> r.get("name").equals(Article.class.getPackageName() + "." + simpleName))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no region for " + simpleName + " in " + regions));
  }

  private void addViews(long id, int times) {
    for (int i = 0; i < times; i++) {
      transactions.executeWithoutResult(
          status -> {
            Article article = articles.findById(id).orElseThrow();
            article.setViews(article.getViews() + 1);
          });
    }
  }

  private long views(long id) {
    return jdbc.queryForObject(
        "select views from " + database.schema() + ".article where id = ?", Long.class, id);
  }
}
