package dev.coalesce.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.spring.boot.actuate.CoalesceActuatorAutoConfiguration;
import dev.coalesce.spring.boot.actuate.CoalesceEndpoint;
import dev.coalesce.spring.boot.app.Article;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * The health and the endpoint exist only with Spring Boot Actuator on the class path: the
 * auto-configurations (with a real EntityManagerFactory on PostgreSQL, deltas in the local store)
 * start with and without Actuator's health and endpoint classes.
 */
@RealServices
class ActuatorBackOffTest {

  /** Where the entities are (the test application's package). */
  @Configuration(proxyBeanMethods = false)
  @AutoConfigurationPackage(basePackageClasses = Article.class)
  static class Entities {}

  private ApplicationContextRunner runner;

  @BeforeEach
  void application(TestDatabase database) {
    runner =
        new ApplicationContextRunner()
            .withConfiguration(
                AutoConfigurations.of(
                    DataSourceAutoConfiguration.class,
                    HibernateJpaAutoConfiguration.class,
                    CoalesceAutoConfiguration.class,
                    CoalesceBufferAutoConfiguration.class,
                    CoalesceActuatorAutoConfiguration.class))
            .withUserConfiguration(Entities.class)
            .withPropertyValues(
                "spring.datasource.url=" + database.jdbcUrl(),
                "spring.datasource.username=" + database.user(),
                "spring.datasource.password=" + database.password(),
                "spring.jpa.properties.hibernate.default_schema=" + database.schema(),
                "spring.jpa.hibernate.ddl-auto=create-drop",
                "coalesce.buffer.store=local",
                "coalesce.cache.store=local",
                "management.endpoints.web.exposure.include=health,coalesce");
  }

  @Test
  void withActuatorTheHealthAndTheEndpointAreThere() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).hasBean("coalesceHealthIndicator");
          assertThat(context.getBean("coalesceHealthIndicator", HealthIndicator.class).health())
              .extracting(health -> health.getStatus().getCode())
              .isEqualTo("UP");
          assertThat(context).hasSingleBean(CoalesceEndpoint.class);
        });
  }

  @Test
  void theHealthCanBeSwitchedOff() {
    runner
        .withPropertyValues("management.health.coalesce.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean("coalesceHealthIndicator");
              assertThat(context).hasSingleBean(CoalesceEndpoint.class);
            });
  }

  @Test
  void withoutActuatorTheApplicationBootsWithoutThem() {
    runner
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.boot.actuate.endpoint.",
                "org.springframework.boot.health.contributor."))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(CounterBuffer.class);
              assertThat(context).doesNotHaveBean("coalesceHealthIndicator");
              assertThat(context).doesNotHaveBean("coalesceEndpoint");
            });
  }
}
