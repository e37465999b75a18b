package dev.coalesce.buffer.capture;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.BufferedCounter;
import dev.coalesce.redis.SettingsReader;
import org.hibernate.binder.AttributeBinder;
import org.hibernate.boot.spi.MetadataBuildingContext;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;

/**
 * Takes a {@link BufferedCounter} attribute out of Hibernate's UPDATEs: a non-updatable property is
 * never dirty-checked, so a counter-only change schedules no UPDATE and does not bump the version.
 * Validation (type, id, version) happens when the SessionFactory is built, with the whole model.
 * Public only because Hibernate instantiates it reflectively.
 */
public final class CounterAttributeBinder implements AttributeBinder<BufferedCounter> {

  public CounterAttributeBinder() {}

  @Override
  public void bind(
      BufferedCounter annotation,
      MetadataBuildingContext context,
      PersistentClass persistentClass,
      Property property) {
    ConfigurationService configuration =
        context
            .getBootstrapContext()
            .getServiceRegistry()
            .requireService(ConfigurationService.class);
    if (!new SettingsReader(configuration.getSettings()).bool(BufferSettings.ENABLED, true)) {
      return;
    }
    property.resetUpdateable(false);
    // excluded from @OptimisticLocking(type = ALL | DIRTY) too
    property.setOptimisticLocked(false);
  }
}
