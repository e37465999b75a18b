package dev.coalesce.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.spring.boot.app.StarterApplication;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The health {@code coalesce} over HTTP while the application's Redis (a server of this test's own)
 * is stopped and started again.
 */
@RealServices
@SpringBootTest(
    classes = StarterApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "coalesce.buffer.flush-interval=1h",
      "coalesce.buffer.shutdown-timeout=2s",
      "coalesce.cache.enabled=false",
      "spring.jpa.hibernate.ddl-auto=create-drop",
      "management.endpoints.web.exposure.include=health,coalesce",
      "management.endpoint.health.show-details=always"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ActuatorRedisDownTest {

  private static TestDatabase database;
  private static RedisServerProcess redis;

  @BeforeAll
  static void services(TestDatabase testDatabase) {
    database = testDatabase;
    redis = RedisServerProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @DynamicPropertySource
  static void connectionDetails(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> database.jdbcUrl());
    registry.add("spring.datasource.username", () -> database.user());
    registry.add("spring.datasource.password", () -> database.password());
    registry.add("spring.jpa.properties.hibernate.default_schema", () -> database.schema());
    registry.add("coalesce.redis.address", () -> redis.address());
  }

  @LocalServerPort int port;

  @Test
  void theHealthIsDownWhileRedisIsStoppedAndUpOnceItIsBack() {
    ActuatorHttp http = new ActuatorHttp(port);
    assertThat(http.get("/actuator/health").<String>json("$.components.coalesce.status"))
        .isEqualTo("UP");

    redis.stop();
    ActuatorHttp.Reply down = http.get("/actuator/health");
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.<String>json("$.components.coalesce.status")).isEqualTo("DOWN");
    assertThat(down.<Boolean>json("$.components.coalesce.details.storeReachable")).isFalse();
    assertThat(down.<String>json("$.components.coalesce.details.pendingAge")).isEqualTo("unknown");
    assertThat(http.get("/actuator/coalesce").<String>json("$.pendingAge")).startsWith("unknown");

    redis.startAgain();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> "UP".equals(http.get("/actuator/health").json("$.components.coalesce.status")));
  }
}
