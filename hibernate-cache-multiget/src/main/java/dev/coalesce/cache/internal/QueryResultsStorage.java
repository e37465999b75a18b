package dev.coalesce.cache.internal;

import java.util.List;
import org.hibernate.cache.spi.support.StorageAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.sql.results.jdbc.spi.JdbcValuesMetadata;

/**
 * A query-results region's storage that, on a hit inside a transaction, hands the cached rows to
 * the session's {@link TransactionCache}: Hibernate then loads the entities of those rows one id at
 * a time, and the first of those loads reads all of them with one multi-get (see {@code
 * dev.coalesce.cache.internal.CachedQueryPrefetchListener}).
 */
final class QueryResultsStorage implements StorageAccess {

  private final StorageAccess delegate;

  private QueryResultsStorage(StorageAccess delegate) {
    this.delegate = delegate;
  }

  /** Wraps the storage of a query-results region. */
  public static StorageAccess of(StorageAccess delegate) {
    return new QueryResultsStorage(delegate);
  }

  @Override
  public Object getFromCache(Object key, SharedSessionContractImplementor session) {
    Object value = delegate.getFromCache(key, session);
    TransactionCache cache = session == null ? null : TransactionCache.of(session);
    if (cache != null && session.isTransactionInProgress()) {
      List<?> list = EntryCodec.queryResultsOf(value);
      if (list != null) {
        cache.queryRowsRead(rows(list));
      }
    }
    return value;
  }

  /**
   * The rows of a cached list: without a native query's leading result metadata and the trailing
   * result count (see Hibernate's {@code QueryCachePutManagerEnabledImpl}).
   */
  private static List<?> rows(List<?> list) {
    if (list.isEmpty()) {
      return List.of();
    }
    int from = list.get(0) instanceof JdbcValuesMetadata ? 1 : 0;
    int to = list.size() - 1;
    return from >= to ? List.of() : list.subList(from, to);
  }

  @Override
  public void putIntoCache(Object key, Object value, SharedSessionContractImplementor session) {
    delegate.putIntoCache(key, value, session);
  }

  @Override
  public void removeFromCache(Object key, SharedSessionContractImplementor session) {
    delegate.removeFromCache(key, session);
  }

  @Override
  public void clearCache(SharedSessionContractImplementor session) {
    delegate.clearCache(session);
  }

  @Override
  public boolean contains(Object key) {
    return delegate.contains(key);
  }

  @Override
  public void evictData() {
    delegate.evictData();
  }

  @Override
  public void evictData(Object key) {
    delegate.evictData(key);
  }

  @Override
  public void release() {
    delegate.release();
  }
}
