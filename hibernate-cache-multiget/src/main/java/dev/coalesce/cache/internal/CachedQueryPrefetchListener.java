package dev.coalesce.cache.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.hibernate.event.spi.LoadEvent;
import org.hibernate.event.spi.LoadEventListener;
import org.hibernate.metamodel.mapping.BasicEntityIdentifierMapping;
import org.hibernate.metamodel.mapping.JdbcMapping;

/**
 * Runs before Hibernate's own load listener. A query-cache hit holds only the ids of cacheable
 * entities, which Hibernate then loads one at a time, each reading the cache ({@code
 * EntityInitializerImpl}'s shallow-cached rows, {@code session.internalLoad}). At the first of
 * those loads of an entity, this reads the entities of every row of the hit with one multi-get, so
 * the per-row reads are answered from memory.
 *
 * <p>The cached rows are plain values without their mapping, so the columns holding this entity's
 * ids are found by value: those where the row that holds the id being loaded holds it. A column
 * taken by mistake (another column equal to the id in that row) only adds keys to the multi-get.
 * Entities with single-column ids only; composite ids are still read one at a time.
 */
final class CachedQueryPrefetchListener implements LoadEventListener {

  @Override
  public void onLoad(LoadEvent event, LoadType loadType) {
    if (loadType != LoadEventListener.INTERNAL_LOAD_EAGER
        || event.getInstanceToLoad() != null
        || event.getEntityId() == null) {
      return;
    }
    var session = event.getSession();
    TransactionCache cache = TransactionCache.of(session);
    if (cache == null || cache.queryRows().isEmpty()) {
      return;
    }
    var persister =
        session.getFactory().getMappingMetamodel().findEntityDescriptor(event.getEntityClassName());
    if (persister == null
        || !(persister.getIdentifierMapping() instanceof BasicEntityIdentifierMapping idMapping)
        || !Prefetch.enabled(session, persister)
        || !cache.firstQueryRowsPrefetch(persister.getRootEntityName())) {
      return;
    }
    JdbcMapping jdbcMapping = idMapping.getJdbcMapping();
    Object wanted = jdbcMapping.convertToRelationalValue(event.getEntityId());
    List<?> rows = cache.queryRows();
    List<Integer> columns = columnsHolding(rows, wanted);
    List<Object> ids = new ArrayList<>(rows.size());
    var persistenceContext = session.getPersistenceContextInternal();
    for (Object row : rows) {
      for (int column : columns) {
        Object value = valueAt(row, column);
        if (value != null && value.getClass() == wanted.getClass()) {
          Object id = jdbcMapping.convertToDomainValue(value);
          if (persistenceContext.getEntity(session.generateEntityKey(id, persister)) == null) {
            ids.add(id);
          }
        }
      }
    }
    Prefetch.entities(session, persister, ids);
  }

  /** The columns of the first row holding {@code wanted} that hold it. */
  private static List<Integer> columnsHolding(List<?> rows, Object wanted) {
    for (Object row : rows) {
      List<Integer> columns = new ArrayList<>(1);
      int width = row instanceof Object[] values ? values.length : 1;
      for (int column = 0; column < width; column++) {
        if (Objects.equals(valueAt(row, column), wanted)) {
          columns.add(column);
        }
      }
      if (!columns.isEmpty()) {
        return columns;
      }
    }
    return List.of();
  }

  private static Object valueAt(Object row, int column) {
    if (row instanceof Object[] values) {
      return column < values.length ? values[column] : null;
    }
    return column == 0 ? row : null;
  }
}
