package dev.coalesce.buffer.internal;

import java.util.function.Supplier;
import org.hibernate.engine.spi.EntityEntry;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Turns the difference between a counter's current and loaded value into a delta, and moves the
 * loaded value up to the current one so the same change is never captured twice.
 */
final class CounterCapture {

  private final Supplier<CounterModel> model;
  private final TransactionDeltas deltas;

  CounterCapture(Supplier<CounterModel> model, TransactionDeltas deltas) {
    this.model = model;
    this.deltas = deltas;
  }

  EntityCounters counters(String entityName) {
    return model.get().forEntity(entityName);
  }

  /**
   * Captures the counters of a managed entity against {@code baseline} (the loaded state, or the
   * state just inserted), then sets the entry's loaded state to the current values.
   */
  void capture(
      SharedSessionContractImplementor session,
      EntityCounters counters,
      Object entity,
      Object id,
      Object[] baseline,
      Object[] loadedState) {
    for (int i = 0; i < counters.size(); i++) {
      int position = counters.position(i);
      Object current = counters.persister().getValue(entity, position);
      if (!(current instanceof Number) && current != null) {
        continue; // not loaded (lazy)
      }
      long delta = EntityCounters.asLong(current) - EntityCounters.asLong(baseline[position]);
      if (delta != 0) {
        deltas.add(session, counters.key(i, id), delta);
      }
      loadedState[position] = current;
    }
  }

  static boolean capturable(EntityEntry entry) {
    return entry != null
        && entry.getStatus() == org.hibernate.engine.spi.Status.MANAGED
        && entry.isExistsInDatabase()
        && entry.getLoadedState() != null;
  }
}
