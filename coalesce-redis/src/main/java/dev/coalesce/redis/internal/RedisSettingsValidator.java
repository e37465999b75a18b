package dev.coalesce.redis.internal;

import dev.coalesce.redis.internal.metrics.CoalesceMetrics;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;

/**
 * Checks the Coalesce settings while the SessionFactory boots: a {@code hibernate.coalesce.*} key
 * that no module on the class path reads fails the boot, naming the nearest known key; and starts
 * {@link RedisConnection}, so a bad Redis setting fails the boot even before any module asks for a
 * client. Registered through {@code META-INF/services/org.hibernate.integrator.spi.Integrator};
 * public only for the ServiceLoader.
 */
public final class RedisSettingsValidator implements Integrator {

  @Override
  public void integrate(
      Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor factory) {
    UnknownSettings.onClassPath(RedisSettingsValidator.class.getClassLoader())
        .check(factory.getProperties());
    factory.getServiceRegistry().requireService(RedisConnection.class);
    factory.getServiceRegistry().requireService(CoalesceMetrics.class);
  }
}
