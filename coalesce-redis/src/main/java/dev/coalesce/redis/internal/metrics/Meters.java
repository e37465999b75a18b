package dev.coalesce.redis.internal.metrics;

import java.util.function.DoubleSupplier;

/**
 * Where a Coalesce module publishes its meters, without depending on Micrometer: {@link #NONE} when
 * Micrometer is not on the class path, else a Micrometer-backed implementation loaded only then
 * (see {@link CoalesceMetrics}). Every meter carries the tag {@code factory}. For Coalesce's
 * modules, not applications.
 */
public interface Meters {

  /** A monotonically increasing count. */
  @FunctionalInterface
  interface Count {
    void add(double amount);
  }

  /** Durations of one kind of event, with their count. */
  @FunctionalInterface
  interface Timing {
    void record(long nanos);
  }

  /** The amounts of one kind of event (sizes, counts per event), with their count. */
  @FunctionalInterface
  interface Distribution {
    void record(double amount);
  }

  /**
   * A counter.
   *
   * @param tags extra tags as name, value, name, value...
   */
  Count counter(String name, String description, String baseUnit, String... tags);

  /**
   * A timer.
   *
   * @param tags extra tags as name, value, name, value...
   */
  Timing timer(String name, String description, String... tags);

  /**
   * A distribution summary.
   *
   * @param tags extra tags as name, value, name, value...
   */
  Distribution summary(String name, String description, String baseUnit, String... tags);

  /** A gauge; {@code value} is called on every read of the registry, so it must be cheap. */
  void gauge(String name, String description, String baseUnit, DoubleSupplier value);

  /** Publishes nothing: Micrometer is absent. */
  Meters NONE =
      new Meters() {
        @Override
        public Count counter(String name, String description, String baseUnit, String... tags) {
          return amount -> {};
        }

        @Override
        public Timing timer(String name, String description, String... tags) {
          return nanos -> {};
        }

        @Override
        public Distribution summary(
            String name, String description, String baseUnit, String... tags) {
          return amount -> {};
        }

        @Override
        public void gauge(String name, String description, String baseUnit, DoubleSupplier value) {}
      };
}
