package dev.coalesce.spring.boot;

import dev.coalesce.buffer.CounterBuffer;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The {@link CounterBuffer} of the application's EntityManagerFactory as a bean (flush on demand,
 * stats), once that factory exists. Off with {@code coalesce.enabled=false} or {@code
 * coalesce.buffer.enabled=false}, and without hibernate-buffer.
 */
@AutoConfiguration(after = {HibernateJpaAutoConfiguration.class, CoalesceAutoConfiguration.class})
@ConditionalOnClass(name = CoalesceHibernateProperties.BUFFER_MODULE)
@ConditionalOnProperty(prefix = "coalesce", name = "enabled", matchIfMissing = true)
@ConditionalOnProperty(prefix = "coalesce.buffer", name = "enabled", matchIfMissing = true)
@ConditionalOnBean(EntityManagerFactory.class)
public class CoalesceBufferAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  CounterBuffer counterBuffer(EntityManagerFactory entityManagerFactory) {
    return CounterBuffer.of(entityManagerFactory);
  }
}
