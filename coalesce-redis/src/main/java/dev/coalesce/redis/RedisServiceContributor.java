package dev.coalesce.redis;

import java.util.Map;
import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.service.spi.ServiceContributor;
import org.hibernate.service.spi.ServiceRegistryImplementor;

/**
 * Registers {@link RedisConnection} and {@link BufferedCounterEntities} in every Hibernate service
 * registry, through {@code META-INF/services/org.hibernate.service.spi.ServiceContributor}. Public
 * only for the {@link java.util.ServiceLoader}.
 */
public final class RedisServiceContributor implements ServiceContributor {

  @Override
  public void contribute(StandardServiceRegistryBuilder builder) {
    builder.addInitiator(Initiator.INSTANCE);
    builder.addInitiator(CounterEntitiesInitiator.INSTANCE);
  }

  private enum CounterEntitiesInitiator
      implements StandardServiceInitiator<BufferedCounterEntities> {
    INSTANCE;

    @Override
    public Class<BufferedCounterEntities> getServiceInitiated() {
      return BufferedCounterEntities.class;
    }

    @Override
    public BufferedCounterEntities initiateService(
        Map<String, Object> settings, ServiceRegistryImplementor registry) {
      return new BufferedCounterEntities();
    }
  }

  private enum Initiator implements StandardServiceInitiator<RedisConnection> {
    INSTANCE;

    @Override
    public Class<RedisConnection> getServiceInitiated() {
      return RedisConnection.class;
    }

    @Override
    public RedisConnection initiateService(
        Map<String, Object> settings, ServiceRegistryImplementor registry) {
      return new RedisConnection(settings);
    }
  }
}
