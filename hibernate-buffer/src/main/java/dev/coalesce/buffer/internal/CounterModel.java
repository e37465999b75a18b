package dev.coalesce.buffer.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.MappingException;
import org.hibernate.boot.Metadata;
import org.hibernate.metamodel.MappingMetamodel;
import org.hibernate.metamodel.mapping.AttributeMapping;
import org.hibernate.metamodel.mapping.BasicEntityIdentifierMapping;
import org.hibernate.metamodel.mapping.SelectableMapping;
import org.hibernate.persister.entity.AbstractEntityPersister;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.descriptor.java.JavaType;

/**
 * Which attributes of which entities are counters, and where their columns are, from Hibernate's
 * runtime mapping model (table and column names as Hibernate renders them).
 */
final class CounterModel {

  private final Map<String, EntityCounters> byEntity;
  private final Map<String, RootCounters> byRoot;

  private CounterModel(Map<String, EntityCounters> byEntity, Map<String, RootCounters> byRoot) {
    this.byEntity = byEntity;
    this.byRoot = byRoot;
  }

  /**
   * The {@code @BufferedCounter} attributes of every entity of the boot model, by entity name (each
   * entity lists its inherited counters too), for {@link #build} once the factory is built.
   *
   * @throws MappingException for an annotation that cannot be honoured, naming {@code
   *     Entity.attribute}, its type and what is allowed
   */
  public static Map<String, Set<String>> declarations(Metadata metadata) {
    return CounterDeclarations.scan(metadata);
  }

  /** An empty model, before the SessionFactory is built. */
  public static CounterModel empty() {
    return new CounterModel(Map.of(), Map.of());
  }

  /**
   * Builds the model for the counters found at boot ({@link #declarations}).
   *
   * @throws MappingException if a counter cannot be located in the runtime model
   */
  public static CounterModel build(
      MappingMetamodel metamodel, Map<String, Set<String>> declarations) {
    Map<String, Map<String, CounterColumn>> columnsByRoot = new LinkedHashMap<>();
    Map<String, Set<String>> spacesByRoot = new HashMap<>();
    declarations.forEach(
        (entityName, attributes) -> {
          EntityPersister persister = metamodel.getEntityDescriptor(entityName);
          String root = persister.getRootEntityName();
          Map<String, CounterColumn> columns =
              columnsByRoot.computeIfAbsent(root, r -> new LinkedHashMap<>());
          for (String attribute : attributes) {
            CounterColumn column = column(persister, attribute);
            CounterColumn previous = columns.putIfAbsent(attribute, column);
            if (previous != null && !previous.equals(column)) {
              throw new MappingException(
                  "@BufferedCounter "
                      + attribute
                      + " is declared by two entities of the hierarchy of "
                      + root
                      + " with different columns ("
                      + previous.table()
                      + "."
                      + previous.column()
                      + ", "
                      + column.table()
                      + "."
                      + column.column()
                      + "); allowed: one counter attribute name per hierarchy");
            }
          }
          for (Object space : persister.getQuerySpaces()) {
            spacesByRoot
                .computeIfAbsent(root, r -> new LinkedHashSet<>())
                .add(String.valueOf(space));
          }
        });
    Map<String, RootCounters> byRoot = new HashMap<>();
    columnsByRoot.forEach(
        (root, columns) -> {
          EntityPersister rootPersister = metamodel.getEntityDescriptor(root);
          if (!(rootPersister.getIdentifierMapping() instanceof BasicEntityIdentifierMapping id)) {
            throw new MappingException(
                "@BufferedCounter on "
                    + root
                    + ": its id is not a single basic value; allowed: Long, Integer, String, UUID"
                    + " or another single basic id");
          }
          @SuppressWarnings("unchecked")
          JavaType<Object> idType = (JavaType<Object>) id.getJavaType();
          byRoot.put(
              root,
              new RootCounters(
                  rootPersister,
                  idType,
                  id.getJdbcMapping(),
                  Map.copyOf(columns),
                  Set.copyOf(spacesByRoot.getOrDefault(root, Set.of()))));
        });
    Map<String, EntityCounters> byEntity = new HashMap<>();
    declarations.forEach(
        (entityName, attributes) -> {
          EntityPersister persister = metamodel.getEntityDescriptor(entityName);
          List<String> names = new ArrayList<>(attributes);
          int[] positions = new int[names.size()];
          for (int i = 0; i < positions.length; i++) {
            positions[i] = persister.findAttributeMapping(names.get(i)).getStateArrayPosition();
          }
          byEntity.put(
              entityName,
              new EntityCounters(
                  persister,
                  byRoot.get(persister.getRootEntityName()),
                  List.copyOf(names),
                  positions));
        });
    return new CounterModel(Map.copyOf(byEntity), Map.copyOf(byRoot));
  }

  private static CounterColumn column(EntityPersister persister, String attribute) {
    AttributeMapping mapping = persister.findAttributeMapping(attribute);
    if (!(mapping instanceof SelectableMapping selectable)) {
      throw new MappingException(
          "@BufferedCounter on "
              + persister.getEntityName()
              + "."
              + attribute
              + ": not mapped to a single column; allowed: a basic integral attribute");
    }
    String table = selectable.getContainingTableExpression();
    List<String> keyColumns = new ArrayList<>();
    if (persister instanceof AbstractEntityPersister entityPersister) {
      entityPersister.forEachMutableTable(
          tableMapping -> {
            if (tableMapping.getTableName().equals(table)) {
              tableMapping
                  .getKeyMapping()
                  .getKeyColumns()
                  .forEach(key -> keyColumns.add(key.getColumnName()));
            }
          });
    }
    if (keyColumns.isEmpty()) {
      persister
          .getIdentifierMapping()
          .forEachSelectable((i, id) -> keyColumns.add(id.getSelectionExpression()));
    }
    return new CounterColumn(
        attribute,
        table,
        selectable.getSelectionExpression(),
        List.copyOf(keyColumns),
        selectable.isNullable());
  }

  /** The counters of entity {@code entityName}, or null if it has none. */
  public EntityCounters forEntity(String entityName) {
    return byEntity.get(entityName);
  }

  /** The counters of the hierarchy of root entity {@code rootName}, or null if it has none. */
  public RootCounters root(String rootName) {
    return byRoot.get(rootName);
  }

  public boolean isEmpty() {
    return byEntity.isEmpty();
  }
}
