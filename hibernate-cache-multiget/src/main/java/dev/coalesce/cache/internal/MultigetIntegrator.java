package dev.coalesce.cache.internal;

import dev.coalesce.cache.MultigetRegionFactory;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.event.spi.EventType;
import org.hibernate.integrator.spi.Integrator;

/**
 * Installs {@link BatchPrefetchListener}, {@link CachedQueryPrefetchListener} and {@link
 * RowsLoadedListener} in factories that use the multiget cache, and {@link SchemaRecreation} in
 * those that create or drop their schema at boot.
 */
public final class MultigetIntegrator implements Integrator {

  @Override
  public void integrate(
      Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor factory) {
    if (!(factory.getCache().getRegionFactory() instanceof MultigetRegionFactory regionFactory)) {
      return;
    }
    // Before any region is built: a refused setting fails the boot with the cache's own message
    // (Hibernate's region factory start keeps it to itself).
    regionFactory.verifyStarted();
    BatchPrefetchListener listener = new BatchPrefetchListener(regionFactory.batchPrefetchLimit());
    EventListenerRegistry listeners =
        factory.getServiceRegistry().requireService(EventListenerRegistry.class);
    listeners.prependListeners(EventType.LOAD, listener);
    listeners.prependListeners(EventType.INIT_COLLECTION, listener);
    listeners.prependListeners(EventType.LOAD, new CachedQueryPrefetchListener());
    listeners.appendListeners(EventType.POST_LOAD, new RowsLoadedListener());
    if (SchemaRecreation.recreates(factory.getProperties())) {
      factory.addObserver(new SchemaRecreation());
    }
  }
}
