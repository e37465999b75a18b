package dev.coalesce.spring.boot.actuate;

import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.spring.boot.CoalesceBufferAutoConfiguration;
import dev.coalesce.spring.boot.CoalesceProperties;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With Spring Boot Actuator on the class path and a {@link CounterBuffer} bean: the health {@code
 * coalesce} and the endpoint {@code /actuator/coalesce}. Each backs off without its Actuator
 * module, or when switched off ({@code management.health.coalesce.enabled=false}, {@code
 * management.endpoint.coalesce.access=none}).
 */
@AutoConfiguration(after = CoalesceBufferAutoConfiguration.class)
@ConditionalOnClass(name = "dev.coalesce.buffer.CounterBuffer")
@ConditionalOnProperty(prefix = "coalesce", name = "enabled", matchIfMissing = true)
@ConditionalOnBean(type = "dev.coalesce.buffer.CounterBuffer")
@EnableConfigurationProperties(CoalesceProperties.class)
public class CoalesceActuatorAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  SetAsideRows coalesceSetAsideRows(EntityManagerFactory entityManagerFactory) {
    return new SetAsideRows(entityManagerFactory);
  }

  /** The health {@code coalesce}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("coalesce")
  static class Health {

    @Bean
    @ConditionalOnMissingBean(name = "coalesceHealthIndicator")
    CoalesceHealthIndicator coalesceHealthIndicator(
        CounterBuffer buffer, SetAsideRows setAside, CoalesceProperties properties) {
      return new CoalesceHealthIndicator(
          buffer, setAside, properties.getHealth().getMaxPendingAge());
    }
  }

  /** The endpoint {@code coalesce}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
  @ConditionalOnAvailableEndpoint(CoalesceEndpoint.class)
  static class Web {

    @Bean
    @ConditionalOnMissingBean
    CoalesceEndpoint coalesceEndpoint(
        CounterBuffer buffer, SetAsideRows setAside, EntityManagerFactory entityManagerFactory) {
      return new CoalesceEndpoint(buffer, setAside, entityManagerFactory);
    }
  }
}
