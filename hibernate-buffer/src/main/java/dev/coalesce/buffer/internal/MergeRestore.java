package dev.coalesce.buffer.internal;

import org.hibernate.event.spi.MergeEvent;
import org.hibernate.proxy.HibernateProxy;

/**
 * Runs after Hibernate's merge. Merge copies every attribute of the detached copy, counters
 * included, so a stale detached counter would look like a (negative) delta: the managed instance's
 * counters go back to their loaded values. Counters are changed on managed entities or through
 * {@code CounterBuffer.increment}, never by merging a detached copy.
 */
final class MergeRestore implements MergeHook {

  private final CounterCapture capture;

  MergeRestore(CounterCapture capture) {
    this.capture = capture;
  }

  @Override
  public void onAnyMerge(MergeEvent event) {
    Object result = event.getResult();
    if (result == null
        || result == event.getOriginal()
        || result instanceof HibernateProxy proxy
            && proxy.getHibernateLazyInitializer().isUninitialized()) {
      return;
    }
    var persistenceContext = event.getSession().getPersistenceContextInternal();
    Object managed =
        result instanceof HibernateProxy proxy
            ? proxy.getHibernateLazyInitializer().getImplementation()
            : result;
    var entry = persistenceContext.getEntry(managed);
    if (!CounterCapture.capturable(entry)) {
      return;
    }
    EntityCounters counters = capture.counters(entry.getPersister().getEntityName());
    if (counters == null) {
      return;
    }
    Object[] loaded = entry.getLoadedState();
    for (int i = 0; i < counters.size(); i++) {
      int position = counters.position(i);
      counters.persister().setValue(managed, position, loaded[position]);
    }
  }
}
