package dev.coalesce.spring.boot;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.spring.MultiGetJpaRepository;
import io.micrometer.core.instrument.MeterRegistry;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jpa.repository.support.JpaRepositoryFactoryBean;

/**
 * Coalesce for a Spring Boot application with Hibernate: the {@code coalesce.*} properties, the
 * application's {@code RedissonClient} and {@code MeterRegistry}, {@code findAllById} through the
 * multi-get. Off with {@code coalesce.enabled=false}; each part backs off when its module is not on
 * the class path.
 */
@AutoConfiguration(before = HibernateJpaAutoConfiguration.class)
@ConditionalOnClass({HibernatePropertiesCustomizer.class, CoalesceSettings.class})
@ConditionalOnProperty(prefix = "coalesce", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(CoalesceProperties.class)
public class CoalesceAutoConfiguration {

  @Bean
  HibernatePropertiesCustomizer coalesceHibernateProperties(
      CoalesceProperties properties,
      ObjectProvider<RedissonClient> redissonClient,
      ApplicationContext context) {
    return new CoalesceHibernateProperties(
        properties, redissonClient.getIfUnique(), context.getClassLoader());
  }

  /** The application's meter registry, for the Coalesce meters. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class Meters {

    @Bean
    HibernatePropertiesCustomizer coalesceMeterRegistry(ObjectProvider<MeterRegistry> registry) {
      return hibernate -> {
        MeterRegistry unique = registry.getIfUnique();
        if (unique != null) {
          hibernate.putIfAbsent(CoalesceSettings.METRICS_REGISTRY, unique);
        }
      };
    }
  }

  /** findAllById of every repository through the multi-get. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      value = {MultiGetJpaRepository.class, JpaRepositoryFactoryBean.class},
      name = CoalesceHibernateProperties.CACHE_MODULE)
  @ConditionalOnProperty(
      prefix = "coalesce.data",
      name = "multiget-find-all-by-id",
      matchIfMissing = true)
  static class Repositories {

    @Bean
    static MultiGetRepositories coalesceMultiGetRepositories() {
      return new MultiGetRepositories();
    }
  }
}
