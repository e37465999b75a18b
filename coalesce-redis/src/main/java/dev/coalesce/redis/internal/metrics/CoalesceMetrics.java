package dev.coalesce.redis.internal.metrics;

import dev.coalesce.redis.CoalesceConfigurationException;
import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.redis.internal.SettingsReader;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.service.Service;
import org.hibernate.service.spi.Stoppable;

/**
 * The meters of one SessionFactory, a Hibernate service shared by the modules: publishes to the
 * registry of {@link CoalesceSettings#METRICS_REGISTRY}, else Micrometer's global registry, with
 * the tag {@code factory} (the SessionFactory's name, else the persistence unit's, else {@code
 * default}); publishes nothing when Micrometer is not on the class path. Also keeps {@code
 * coalesce.redis.available}, which the modules feed with the outcome of their Redis commands. The
 * meters are removed when the service registry stops, after the factory closed.
 */
public final class CoalesceMetrics implements Service, Stoppable {

  private static final String MICROMETER = "io.micrometer.core.instrument.MeterRegistry";

  private final Meters meters;
  private final String factory;
  private final AtomicInteger redisAvailable = new AtomicInteger(-1);

  /** Reads and validates {@link CoalesceSettings#METRICS_REGISTRY}. */
  public CoalesceMetrics(Map<?, ?> settings) {
    SettingsReader reader = new SettingsReader(settings);
    this.factory = factoryName(reader);
    Optional<Object> registry = reader.raw(CoalesceSettings.METRICS_REGISTRY);
    if (!micrometerPresent()) {
      if (registry.isPresent()) {
        throw new CoalesceConfigurationException(
            "Invalid setting "
                + CoalesceSettings.METRICS_REGISTRY
                + ": Micrometer (io.micrometer:micrometer-core) is not on the class path; add it,"
                + " or remove the setting");
      }
      this.meters = Meters.NONE;
      return;
    }
    if (registry.isPresent() && !MicrometerMeters.isRegistry(registry.get())) {
      throw new CoalesceConfigurationException(
          "Invalid value of type "
              + registry.get().getClass().getName()
              + " for setting "
              + CoalesceSettings.METRICS_REGISTRY
              + ": expected an io.micrometer.core.instrument.MeterRegistry instance");
    }
    this.meters = MicrometerMeters.create(registry.orElse(null), factory);
  }

  private static String factoryName(SettingsReader reader) {
    return reader
        .string(AvailableSettings.SESSION_FACTORY_NAME)
        .or(() -> reader.string(AvailableSettings.PERSISTENCE_UNIT_NAME))
        .filter(name -> !name.isBlank())
        .orElse("default");
  }

  private static boolean micrometerPresent() {
    try {
      Class.forName(MICROMETER, false, CoalesceMetrics.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Where the modules register their meters; {@link Meters#NONE} without Micrometer. */
  public Meters meters() {
    return meters;
  }

  /** The value of the tag {@code factory}. */
  public String factory() {
    return factory;
  }

  /**
   * The outcome of a command to Redis. The first call registers the gauge {@code
   * coalesce.redis.available} (a factory without Redis has none).
   */
  public void redisAvailable(boolean available) {
    if (redisAvailable.getAndSet(available ? 1 : 0) == -1) {
      meters.gauge(
          "coalesce.redis.available",
          "1 when the last command to Redis succeeded, 0 when it failed",
          null,
          () -> Math.max(0, redisAvailable.get()));
    }
  }

  @Override
  public void stop() {
    if (meters instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("Cannot remove the Coalesce meters", e);
      }
    }
  }
}
