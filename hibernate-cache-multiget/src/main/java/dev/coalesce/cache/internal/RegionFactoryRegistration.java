package dev.coalesce.cache.internal;

import dev.coalesce.cache.CacheSettings;
import dev.coalesce.cache.MultigetRegionFactory;
import java.util.List;
import org.hibernate.boot.registry.selector.SimpleStrategyRegistrationImpl;
import org.hibernate.boot.registry.selector.StrategyRegistration;
import org.hibernate.boot.registry.selector.StrategyRegistrationProvider;
import org.hibernate.cache.spi.RegionFactory;

/** Registers {@link MultigetRegionFactory} under the short name {@code multiget}. */
public final class RegionFactoryRegistration implements StrategyRegistrationProvider {

  @Override
  public Iterable<StrategyRegistration<?>> getStrategyRegistrations() {
    return List.of(
        new SimpleStrategyRegistrationImpl<>(
            RegionFactory.class,
            MultigetRegionFactory.class,
            CacheSettings.SHORT_NAME,
            MultigetRegionFactory.class.getName(),
            MultigetRegionFactory.class.getSimpleName()));
  }
}
