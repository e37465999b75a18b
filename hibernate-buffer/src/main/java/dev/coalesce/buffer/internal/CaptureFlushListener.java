package dev.coalesce.buffer.internal;

import org.hibernate.event.spi.FlushEntityEvent;
import org.hibernate.event.spi.FlushEntityEventListener;

/**
 * Runs before Hibernate's own flush-entity listener: captures counter changes of managed entities
 * that exist in the database. New entities are left to {@link InsertReconciler}: until their
 * delayed INSERT runs, the entry's loaded state is the very array the INSERT writes.
 */
final class CaptureFlushListener implements FlushEntityEventListener {

  private final CounterCapture capture;

  CaptureFlushListener(CounterCapture capture) {
    this.capture = capture;
  }

  @Override
  public void onFlushEntity(FlushEntityEvent event) {
    var entry = event.getEntityEntry();
    EntityCounters counters = capture.counters(entry.getPersister().getEntityName());
    if (counters == null || !CounterCapture.capturable(entry)) {
      return;
    }
    Object[] loaded = entry.getLoadedState();
    capture.capture(event.getSession(), counters, event.getEntity(), entry.getId(), loaded, loaded);
  }
}
