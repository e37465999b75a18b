package dev.coalesce.samples.spring;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The Spring Boot side of the event tracker. The Coalesce settings live in {@code
 * application.properties} ({@code coalesce.*}); coalesce-spring-boot-starter declares the {@code
 * CounterBuffer} bean and makes every repository's {@code findAllById} read the cache in one round
 * trip, with no Coalesce type named here.
 */
@SpringBootApplication
public class TrackerApplication {

  /**
   * Runs the demo ({@code tracker.demo}) and exits with its status; closing the context flushes the
   * buffer.
   */
  public static void main(String[] args) {
    System.exit(SpringApplication.exit(SpringApplication.run(TrackerApplication.class, args)));
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
