package dev.coalesce.redis.internal;

import dev.coalesce.redis.internal.metrics.CoalesceMetrics;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;

/**
 * Checks the Coalesce settings while the SessionFactory boots, even when no module needs Redis:
 * starts {@link RedisConnection}, whose creation refuses a {@code hibernate.coalesce.*} key that no
 * module on the class path reads (naming the nearest known key) and a bad value of any module's
 * setting. Registered through {@code META-INF/services/org.hibernate.integrator.spi.Integrator};
 * public only for the ServiceLoader.
 */
public final class RedisSettingsValidator implements Integrator {

  @Override
  public void integrate(
      Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor factory) {
    // creating the connection checks every Coalesce setting (see RedisConnection's constructor)
    factory.getServiceRegistry().requireService(RedisConnection.class);
    factory.getServiceRegistry().requireService(CoalesceMetrics.class);
  }
}
