package dev.coalesce.samples.spring;

import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.spring.MultiGetJpaRepository;
import jakarta.persistence.EntityManagerFactory;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/**
 * The Spring Boot side of the event tracker. The Coalesce settings live in {@code
 * application.properties}; the one line of Java is {@code repositoryBaseClass}, which makes every
 * repository's {@code findAllById} read the cache in one round trip.
 */
@SpringBootApplication
@EnableJpaRepositories(repositoryBaseClass = MultiGetJpaRepository.class)
public class TrackerApplication {

  /** Runs the demo ({@code tracker.demo}) and exits; closing the context flushes the buffer. */
  public static void main(String[] args) {
    System.exit(SpringApplication.exit(SpringApplication.run(TrackerApplication.class, args)));
  }

  /** The counter buffer of the application's EntityManagerFactory (flush on demand, stats). */
  @Bean
  CounterBuffer counterBuffer(EntityManagerFactory entityManagerFactory) {
    return CounterBuffer.of(entityManagerFactory);
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
