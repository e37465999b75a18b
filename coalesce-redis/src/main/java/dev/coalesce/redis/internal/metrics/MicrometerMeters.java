package dev.coalesce.redis.internal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * {@link Meters} on a Micrometer registry. Loaded only when Micrometer is on the class path: no
 * other class of Coalesce names a Micrometer type.
 */
final class MicrometerMeters implements Meters, AutoCloseable {

  private final MeterRegistry registry;
  private final Tags common;
  private final List<Meter> registered = new CopyOnWriteArrayList<>();

  private MicrometerMeters(MeterRegistry registry, String factory) {
    this.registry = registry;
    this.common = Tags.of("factory", factory);
  }

  /**
   * @param registry the value of the registry setting, already checked, or null for the global one
   */
  static MicrometerMeters create(Object registry, String factory) {
    return new MicrometerMeters(
        registry == null ? Metrics.globalRegistry : (MeterRegistry) registry, factory);
  }

  /** Whether {@code value} is a Micrometer {@code MeterRegistry}. */
  static boolean isRegistry(Object value) {
    return value instanceof MeterRegistry;
  }

  @Override
  public Count counter(String name, String description, String baseUnit, String... tags) {
    Counter counter =
        Counter.builder(name)
            .description(description)
            .baseUnit(baseUnit)
            .tags(common.and(tags))
            .register(registry);
    registered.add(counter);
    return counter::increment;
  }

  @Override
  public Timing timer(String name, String description, String... tags) {
    Timer timer =
        Timer.builder(name).description(description).tags(common.and(tags)).register(registry);
    registered.add(timer);
    return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public Distribution summary(String name, String description, String baseUnit, String... tags) {
    DistributionSummary summary =
        DistributionSummary.builder(name)
            .description(description)
            .baseUnit(baseUnit)
            .tags(common.and(tags))
            .register(registry);
    registered.add(summary);
    return summary::record;
  }

  @Override
  public void gauge(String name, String description, String baseUnit, DoubleSupplier value) {
    Gauge gauge =
        Gauge.builder(name, value, DoubleSupplier::getAsDouble)
            .description(description)
            .baseUnit(baseUnit)
            .tags(common)
            .strongReference(true)
            .register(registry);
    registered.add(gauge);
  }

  /** Removes this factory's meters from the registry: a closed factory publishes nothing. */
  @Override
  public void close() {
    registered.forEach(registry::remove);
    registered.clear();
  }
}
