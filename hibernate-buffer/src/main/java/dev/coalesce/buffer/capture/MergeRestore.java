package dev.coalesce.buffer.capture;

import dev.coalesce.buffer.model.CounterModel;
import dev.coalesce.buffer.model.EntityCounters;
import java.util.function.Supplier;
import org.hibernate.HibernateException;
import org.hibernate.event.spi.MergeContext;
import org.hibernate.event.spi.MergeEvent;
import org.hibernate.event.spi.MergeEventListener;
import org.hibernate.proxy.HibernateProxy;

/**
 * Runs after Hibernate's merge. Merge copies every attribute of the detached copy, counters
 * included, so a stale detached counter would look like a (negative) delta: the managed instance's
 * counters go back to their loaded values. Counters are changed on managed entities or through
 * {@code CounterBuffer.increment}, never by merging a detached copy.
 */
public final class MergeRestore implements MergeEventListener {

  private final Supplier<CounterModel> model;

  public MergeRestore(Supplier<CounterModel> model) {
    this.model = model;
  }

  @Override
  public void onMerge(MergeEvent event) throws HibernateException {
    after(event);
  }

  @Override
  public void onMerge(MergeEvent event, MergeContext copiedAlready) throws HibernateException {
    after(event);
  }

  private void after(MergeEvent event) {
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
    EntityCounters counters = model.get().forEntity(entry.getPersister().getEntityName());
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
