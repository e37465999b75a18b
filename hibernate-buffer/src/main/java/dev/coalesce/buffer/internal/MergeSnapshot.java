package dev.coalesce.buffer.internal;

import org.hibernate.event.spi.EventSource;
import org.hibernate.event.spi.MergeEvent;
import org.hibernate.proxy.HibernateProxy;

/**
 * Runs before Hibernate's merge. When a detached copy is merged onto an instance this session
 * already manages, that instance's unflushed counter changes are captured first, since the merge is
 * about to overwrite them. {@link MergeRestore} then undoes the copy of the detached counters.
 */
final class MergeSnapshot implements MergeHook {

  private final CounterCapture capture;

  MergeSnapshot(CounterCapture capture) {
    this.capture = capture;
  }

  @Override
  public void onAnyMerge(MergeEvent event) {
    Object original = event.getOriginal();
    if (original == null || original instanceof HibernateProxy) {
      return;
    }
    EventSource session = event.getSession();
    var persistenceContext = session.getPersistenceContextInternal();
    if (persistenceContext.getEntry(original) != null) {
      return; // merging a managed instance copies nothing
    }
    var persister = session.getEntityPersister(event.getEntityName(), original);
    EntityCounters counters = capture.counters(persister.getEntityName());
    if (counters == null) {
      return;
    }
    Object id = persister.getIdentifier(original, session);
    if (id == null) {
      return;
    }
    Object managed = persistenceContext.getEntity(session.generateEntityKey(id, persister));
    if (managed == null) {
      return;
    }
    var entry = persistenceContext.getEntry(managed);
    if (CounterCapture.capturable(entry)) {
      Object[] loaded = entry.getLoadedState();
      capture.capture(session, counters, managed, id, loaded, loaded);
    }
  }
}
