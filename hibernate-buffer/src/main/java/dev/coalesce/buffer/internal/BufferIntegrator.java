package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.BufferSettings.Store;
import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.internal.BufferedCounterEntities;
import dev.coalesce.redis.internal.RedisConnection;
import dev.coalesce.redis.internal.SettingsReader;
import dev.coalesce.redis.internal.Timing;
import dev.coalesce.redis.internal.metrics.CoalesceMetrics;
import dev.coalesce.redis.internal.metrics.Meters;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.hibernate.binder.internal.TenantIdBinder;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.event.service.spi.EventListenerRegistry;
import org.hibernate.integrator.spi.Integrator;
import org.jboss.logging.Logger;

/**
 * Registers the counter buffer with every SessionFactory (listed in {@code
 * META-INF/services/org.hibernate.integrator.spi.Integrator}): validates the settings and the
 * {@code @BufferedCounter} attributes, adds the capture listeners, and starts the flusher once the
 * factory is built.
 */
public final class BufferIntegrator implements Integrator {

  private static final Logger LOG = Logger.getLogger(BufferIntegrator.class);

  @Override
  public void integrate(
      Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor factory) {
    Map<String, Object> settings = factory.getProperties();
    if (!new SettingsReader(settings).bool(BufferSettings.ENABLED, true)) {
      return;
    }
    RedisConnection redis = factory.getServiceRegistry().requireService(RedisConnection.class);
    BufferConfig config = BufferConfig.read(settings, redis.isConfigured());
    Map<String, Set<String>> declarations = CounterModel.declarations(metadata);
    if (!declarations.isEmpty()
        && (factory.getSessionFactoryOptions().isMultiTenancyEnabled()
            || metadata.getFilterDefinition(TenantIdBinder.FILTER_NAME) != null)) {
      Map.Entry<String, Set<String>> first = declarations.entrySet().iterator().next();
      throw new CoalesceConfigurationException(
          "@BufferedCounter on "
              + first.getKey()
              + "."
              + first.getValue().iterator().next()
              + " in a multi-tenant SessionFactory (hibernate.multi_tenant_connection_provider or"
              + " a @TenantId attribute) is not supported: buffered deltas and the flusher's"
              + " UPDATEs carry no tenant; allowed: @BufferedCounter in a factory without"
              + " multi-tenancy, or "
              + BufferSettings.ENABLED
              + "=false");
    }
    // The second-level cache must not cache a session's (possibly older) counters of these.
    factory
        .getServiceRegistry()
        .requireService(BufferedCounterEntities.class)
        .addAll(declarations.keySet());
    Clock clock = factory.getServiceRegistry().requireService(Timing.class).clock();
    DeltaStore store;
    if (declarations.isEmpty()) {
      store = DeltaStore.local(config.partitions(), clock);
    } else if (config.store() == Store.REDIS) {
      // connects now: an unreachable Redis fails the boot, naming the setting
      store =
          DeltaStore.redis(
              factory.getServiceRegistry().requireService(CoalesceMetrics.class).factory(),
              redis.client(),
              redis.keys(),
              config.partitions(),
              config.pushAttemptTimeout(),
              config.waitReplicas());
    } else {
      LOG.infof(
          "Counter buffer uses the local store (%s=local): deltas wait in this JVM and are lost"
              + " if it dies before a flush; set %s to keep them in Redis",
          BufferSettings.STORE,
          redis.isConfigured()
              ? BufferSettings.STORE + "=redis"
              : BufferSettings.REDIS_ADDRESS + " (or " + BufferSettings.REDIS_CONFIG + ")");
      store = DeltaStore.local(config.partitions(), clock);
    }
    CoalesceMetrics metrics = factory.getServiceRegistry().requireService(CoalesceMetrics.class);
    boolean redisStore = !declarations.isEmpty() && config.store() == Store.REDIS;
    StatsRecorder stats =
        new StatsRecorder(
            declarations.isEmpty() ? Meters.NONE : metrics.meters(),
            redisStore ? metrics::redisAvailable : answered -> {});
    BufferRuntime runtime = new BufferRuntime(factory, declarations, config, store, stats);
    if (!declarations.isEmpty()) {
      runtime
          .deltas()
          .registerListeners(
              factory.getServiceRegistry().requireService(EventListenerRegistry.class),
              runtime::model);
    }
    factory.addObserver(runtime);
  }
}
