package dev.coalesce.buffer.internal;

import org.hibernate.event.spi.PostInsertEvent;
import org.hibernate.event.spi.PostInsertEventListener;
import org.hibernate.persister.entity.EntityPersister;

/**
 * After an INSERT: what the entity's counters gained since the inserted state was taken (e.g.
 * {@code persist(views = 0); setViews(5)} before the delayed INSERT) becomes a delta, and the
 * loaded state catches up, so the value is neither lost nor counted twice.
 */
final class InsertReconciler implements PostInsertEventListener {

  private final CounterCapture capture;

  InsertReconciler(CounterCapture capture) {
    this.capture = capture;
  }

  @Override
  public void onPostInsert(PostInsertEvent event) {
    EntityCounters counters = capture.counters(event.getPersister().getEntityName());
    if (counters == null) {
      return;
    }
    var session = event.getSession();
    var entry = session.getPersistenceContextInternal().getEntry(event.getEntity());
    if (entry == null || entry.getLoadedState() == null) {
      return;
    }
    capture.capture(
        session,
        counters,
        event.getEntity(),
        event.getId(),
        event.getState(),
        entry.getLoadedState());
  }

  @Override
  public boolean requiresPostCommitHandling(EntityPersister persister) {
    return false;
  }
}
