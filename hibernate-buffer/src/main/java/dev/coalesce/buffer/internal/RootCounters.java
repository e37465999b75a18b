package dev.coalesce.buffer.internal;

import java.util.Map;
import java.util.Set;
import org.hibernate.metamodel.mapping.JdbcMapping;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.descriptor.java.JavaType;

/**
 * The counters of one entity hierarchy, keyed by attribute. A row is named by the root entity and
 * its id, so every counter of a row, whichever subclass declares it, is flushed together.
 */
final class RootCounters {

  private final EntityPersister rootPersister;
  private final JavaType<Object> idType;
  private final JdbcMapping idJdbcMapping;
  private final Map<String, CounterColumn> columns;
  private final Set<String> querySpaces;

  RootCounters(
      EntityPersister rootPersister,
      JavaType<Object> idType,
      JdbcMapping idJdbcMapping,
      Map<String, CounterColumn> columns,
      Set<String> querySpaces) {
    this.rootPersister = rootPersister;
    this.idType = idType;
    this.idJdbcMapping = idJdbcMapping;
    this.columns = columns;
    this.querySpaces = querySpaces;
  }

  public String name() {
    return rootPersister.getEntityName();
  }

  /** The root entity's persister: its cache region holds every entity of the hierarchy. */
  public EntityPersister rootPersister() {
    return rootPersister;
  }

  public CounterColumn column(String attribute) {
    return columns.get(attribute);
  }

  public JdbcMapping idJdbcMapping() {
    return idJdbcMapping;
  }

  /** The id as stored in a counter key. */
  public String formatId(Object id) {
    return idType.toString(id);
  }

  /** The id of a counter key. */
  public Object parseId(String id) {
    return idType.fromString(id);
  }

  public boolean isIdInstance(Object id) {
    return idType.isInstance(id);
  }

  public Class<?> idClass() {
    return idType.getJavaTypeClass();
  }

  /** Tables of the hierarchy, for the query cache's timestamps. */
  public Set<String> querySpaces() {
    return querySpaces;
  }
}
