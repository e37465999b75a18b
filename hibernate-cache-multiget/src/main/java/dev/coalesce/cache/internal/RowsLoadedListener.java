package dev.coalesce.cache.internal;

import org.hibernate.event.spi.PostLoadEvent;
import org.hibernate.event.spi.PostLoadEventListener;

/**
 * Sends the put-from-loads of a query's rows as one pipeline. Hibernate puts each row's entity into
 * the cache as it reads the row; inside a transaction the session's {@link TransactionCache}
 * buffers those writes, and Hibernate fires the post-load events of a result's entities after its
 * last row: the first of them sends what was buffered.
 */
final class RowsLoadedListener implements PostLoadEventListener {

  @Override
  public void onPostLoad(PostLoadEvent event) {
    TransactionCache cache = TransactionCache.of(event.getSession());
    if (cache != null) {
      cache.rowsLoaded();
    }
  }
}
