package dev.coalesce.redis.internal;

import dev.coalesce.redis.internal.metrics.CoalesceMetrics;
import java.util.Map;
import java.util.function.Function;
import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.service.Service;
import org.hibernate.service.spi.ServiceContributor;
import org.hibernate.service.spi.ServiceRegistryImplementor;

/**
 * Registers {@link RedisConnection}, {@link CoalesceMetrics}, {@link BufferedCounterEntities} and
 * {@link Timing} (the system's) in every Hibernate service registry, through {@code
 * META-INF/services/org.hibernate.service.spi.ServiceContributor}. Public only for the {@link
 * java.util.ServiceLoader}.
 */
public final class RedisServiceContributor implements ServiceContributor {

  @Override
  public void contribute(StandardServiceRegistryBuilder builder) {
    builder.addInitiator(new Initiator<>(RedisConnection.class, RedisConnection::new));
    builder.addInitiator(new Initiator<>(CoalesceMetrics.class, CoalesceMetrics::new));
    builder.addInitiator(
        new Initiator<>(BufferedCounterEntities.class, settings -> new BufferedCounterEntities()));
    builder.addInitiator(new Initiator<>(Timing.class, settings -> Timing.system()));
  }

  private record Initiator<S extends Service>(
      Class<S> type, Function<Map<String, Object>, S> create)
      implements StandardServiceInitiator<S> {

    @Override
    public Class<S> getServiceInitiated() {
      return type;
    }

    @Override
    public S initiateService(Map<String, Object> settings, ServiceRegistryImplementor registry) {
      return create.apply(settings);
    }
  }
}
