package dev.coalesce.cache.internal;

import dev.coalesce.cache.MultigetRegionFactory;
import dev.coalesce.redis.internal.SettingsReader;
import java.util.Map;
import org.hibernate.boot.registry.StandardServiceInitiator;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.CacheSettings;
import org.hibernate.loader.ast.internal.StandardBatchLoaderFactory;
import org.hibernate.loader.ast.spi.BatchLoaderFactory;
import org.hibernate.persister.internal.PersisterClassResolverInitiator;
import org.hibernate.persister.spi.PersisterClassResolver;
import org.hibernate.service.spi.ServiceContributor;
import org.hibernate.service.spi.ServiceRegistryImplementor;
import org.jboss.logging.Logger;

/**
 * Installs the prefetching loaders, only for factories whose {@code
 * hibernate.cache.region.factory_class} is {@code multiget}: the persister class resolver (for
 * multi-id loads) and the batch loader factory (for batch fetching). Other factories get
 * Hibernate's own.
 */
public final class MultigetServiceContributor implements ServiceContributor {

  private static final Logger LOG = Logger.getLogger(MultigetServiceContributor.class);

  @Override
  public void contribute(StandardServiceRegistryBuilder builder) {
    builder.addInitiator(new Resolvers());
    builder.addInitiator(new BatchLoaders());
  }

  static boolean usesMultiget(Map<String, Object> settings) {
    Object factory = settings.get(CacheSettings.CACHE_REGION_FACTORY);
    if (factory == null) {
      return false;
    }
    if (factory instanceof MultigetRegionFactory || factory == MultigetRegionFactory.class) {
      return true;
    }
    String name = factory instanceof Class<?> type ? type.getName() : factory.toString().trim();
    return name.equals(dev.coalesce.cache.CacheSettings.SHORT_NAME)
        || name.equals(MultigetRegionFactory.class.getName())
        || name.equals(MultigetRegionFactory.class.getSimpleName());
  }

  private static final class Resolvers implements StandardServiceInitiator<PersisterClassResolver> {
    @Override
    public Class<PersisterClassResolver> getServiceInitiated() {
      return PersisterClassResolver.class;
    }

    @Override
    public PersisterClassResolver initiateService(
        Map<String, Object> settings, ServiceRegistryImplementor registry) {
      if (!usesMultiget(settings)) {
        return PersisterClassResolverInitiator.INSTANCE.initiateService(settings, registry);
      }
      if (settings.get(PersisterClassResolverInitiator.IMPL_NAME) != null) {
        LOG.infof(
            "%s is set, so the multiget cache leaves persisters alone: findMultiple reads the cache"
                + " one id at a time unless that resolver's persisters extend"
                + " dev.coalesce.cache.internal.Multiget*EntityPersister",
            PersisterClassResolverInitiator.IMPL_NAME);
        return PersisterClassResolverInitiator.INSTANCE.initiateService(settings, registry);
      }
      return new MultigetPersisterClassResolver();
    }
  }

  private static final class BatchLoaders implements StandardServiceInitiator<BatchLoaderFactory> {
    @Override
    public Class<BatchLoaderFactory> getServiceInitiated() {
      return BatchLoaderFactory.class;
    }

    @Override
    public BatchLoaderFactory initiateService(
        Map<String, Object> settings, ServiceRegistryImplementor registry) {
      BatchLoaderFactory standard = new StandardBatchLoaderFactory(settings, registry);
      if (!usesMultiget(settings)) {
        return standard;
      }
      int limit =
          new SettingsReader(settings)
              .positiveInt(
                  dev.coalesce.cache.CacheSettings.BATCH_PREFETCH_LIMIT,
                  dev.coalesce.cache.CacheSettings.DEFAULT_BATCH_PREFETCH_LIMIT);
      return new PrefetchingBatchLoaderFactory(standard, limit);
    }
  }
}
