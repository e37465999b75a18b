package dev.coalesce.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a developer sees when a service is missing: one message naming the three ways. */
class ServiceEndpointsTest {

  private static int deadPort() {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      server.stop();
      return server.port();
    }
  }

  private static ServiceEndpoints endpoints(Map<String, String> env, int redisPort, String jdbc) {
    return new ServiceEndpoints(env, jdbc, "127.0.0.1", redisPort, () -> "no Docker engine found");
  }

  @Test
  void aMissingRedisFailsWithTheThreeWaysToProvideIt() {
    int port = deadPort();
    ServiceEndpoints endpoints = endpoints(Map.of(), port, ServiceEndpoints.LOCAL_JDBC_URL);

    assertThatThrownBy(() -> endpoints.redis(ServiceEndpointsTest.class))
        .isInstanceOf(ServiceUnavailableException.class)
        .hasMessageStartingWith(
            "Redis is needed by dev.coalesce.testing.ServiceEndpointsTest but none was found")
        .hasMessageContaining("1. set COALESCE_TEST_REDIS_URL=redis://host:port")
        .hasMessageContaining("2. run Redis on 127.0.0.1:6379")
        .hasMessageContaining("3. start a Docker engine, so Testcontainers can run redis:7")
        .hasMessageContaining("127.0.0.1:" + port + ": ConnectException")
        .hasMessageContaining("Testcontainers: no Docker engine found");
  }

  @Test
  void aMissingPostgresFailsWithTheThreeWaysToProvideIt() {
    String deadUrl = "jdbc:postgresql://127.0.0.1:" + deadPort() + "/test";
    ServiceEndpoints endpoints = endpoints(Map.of(), 6379, deadUrl);

    assertThatThrownBy(() -> endpoints.postgres(ServiceEndpointsTest.class))
        .isInstanceOf(ServiceUnavailableException.class)
        .hasMessageStartingWith("PostgreSQL is needed by")
        .hasMessageContaining("1. set COALESCE_TEST_JDBC_URL")
        .hasMessageContaining("2. run PostgreSQL on 127.0.0.1:5432")
        .hasMessageContaining("3. start a Docker engine, so Testcontainers can run postgres:16")
        .hasMessageContaining(deadUrl + ": Connection to 127.0.0.1");
  }

  @Test
  void anExplicitButDeadRedisIsReportedNotReplaced() {
    int port = deadPort();
    ServiceEndpoints endpoints =
        endpoints(
            Map.of("COALESCE_TEST_REDIS_URL", "redis://127.0.0.1:" + port),
            6379,
            ServiceEndpoints.LOCAL_JDBC_URL);

    assertThatThrownBy(() -> endpoints.redis(ServiceEndpointsTest.class))
        .hasMessageStartingWith(
            "Redis from COALESCE_TEST_REDIS_URL=redis://127.0.0.1:" + port + " does not answer");
  }

  @Test
  void theLocalServicesAreFoundWhenTheyAnswer() {
    ServiceEndpoints endpoints = endpoints(Map.of(), 6379, ServiceEndpoints.LOCAL_JDBC_URL);
    assertThat(endpoints.redis(ServiceEndpointsTest.class).address())
        .isEqualTo("redis://127.0.0.1:6379");
    assertThat(endpoints.postgres(ServiceEndpointsTest.class).jdbcUrl())
        .isEqualTo(ServiceEndpoints.LOCAL_JDBC_URL);
  }
}
