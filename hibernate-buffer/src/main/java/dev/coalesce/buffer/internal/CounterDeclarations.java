package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferedCounter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.MappingException;
import org.hibernate.boot.Metadata;
import org.hibernate.mapping.Component;
import org.hibernate.mapping.PersistentClass;
import org.hibernate.mapping.Property;
import org.hibernate.mapping.SimpleValue;
import org.hibernate.mapping.UnionSubclass;
import org.hibernate.mapping.Value;

/**
 * Finds the {@link BufferedCounter} attributes of the boot model and refuses the ones that cannot
 * be buffered, with a message naming {@code Entity.attribute}, its type and what is allowed.
 */
final class CounterDeclarations {

  private static final Set<Class<?>> ALLOWED =
      Set.of(int.class, long.class, short.class, Integer.class, Long.class, Short.class);

  private static final String ALLOWED_TYPES = "int, long, short, Integer, Long or Short";

  private static final String NOT_ID_OR_VERSION =
      "allowed: a basic " + ALLOWED_TYPES + " attribute that is not the @Id or the @Version";

  private CounterDeclarations() {}

  /**
   * The counter attributes of every entity, by entity name (each entity lists its inherited
   * counters too). Marks each counter property non-updatable and not optimistic-locked: this is the
   * one place that takes counters out of Hibernate's UPDATEs, and it runs from the integrator,
   * before the SessionFactory builds its persisters from this boot model.
   *
   * @throws MappingException for an annotation that cannot be honoured
   */
  static Map<String, Set<String>> scan(Metadata metadata) {
    Map<String, Set<String>> counters = new LinkedHashMap<>();
    Set<Class<?>> embeddables = new LinkedHashSet<>();
    for (PersistentClass entity : metadata.getEntityBindings()) {
      collectEmbeddables(entity.getIdentifier(), embeddables);
      for (Property property : entity.getPropertyClosure()) {
        collectEmbeddables(property.getValue(), embeddables);
      }
      // null for a dynamic-map entity: no class to carry an annotation
      Class<?> type = entity.getMappedClass();
      if (type == null) {
        continue;
      }
      Set<String> names = annotatedAttributes(type);
      if (names.isEmpty()) {
        continue;
      }
      String owner = type.getSimpleName();
      for (String name : names) {
        check(entity, owner, name);
      }
      if (entity.getIdentifierMapper() != null || entity.getIdentifier() instanceof Component) {
        throw new MappingException(
            "@BufferedCounter on "
                + owner
                + "."
                + names.iterator().next()
                + ": entity "
                + owner
                + " has a composite id (@EmbeddedId or @IdClass), which the counter buffer does"
                + " not support; allowed: a single basic id (Long, Integer, String, UUID, ...)");
      }
      if (entity.getRootClass().getSubclassClosure().stream()
          .anyMatch(UnionSubclass.class::isInstance)) {
        throw new MappingException(
            "@BufferedCounter on "
                + owner
                + "."
                + names.iterator().next()
                + ": the hierarchy of "
                + owner
                + " is mapped with InheritanceType.TABLE_PER_CLASS (a table per concrete class),"
                + " which the counter buffer does not support; allowed: SINGLE_TABLE or JOINED"
                + " inheritance, or none");
      }
      counters.put(entity.getEntityName(), names);
    }
    for (Class<?> embeddable : embeddables) {
      Set<String> names = annotatedAttributes(embeddable);
      if (!names.isEmpty()) {
        throw new MappingException(
            "@BufferedCounter on "
                + embeddable.getSimpleName()
                + "."
                + names.iterator().next()
                + ": "
                + embeddable.getSimpleName()
                + " is not an entity (an embeddable); allowed: a basic "
                + ALLOWED_TYPES
                + " attribute of an entity or of its @MappedSuperclass");
      }
    }
    return counters;
  }

  private static void check(PersistentClass entity, String owner, String name) {
    String where = "@BufferedCounter on " + owner + "." + name;
    Property id = entity.getIdentifierProperty();
    if (id != null && id.getName().equals(name)
        || entity.getIdentifierMapper() != null
            && hasProperty(entity.getIdentifierMapper(), name)) {
      throw new MappingException(where + ": it is the @Id; " + NOT_ID_OR_VERSION);
    }
    Property version = entity.getVersion();
    if (version != null && version.getName().equals(name)) {
      throw new MappingException(where + ": it is the @Version; " + NOT_ID_OR_VERSION);
    }
    Property property = findProperty(entity, name);
    if (property == null) {
      throw new MappingException(
          where
              + ": not a persistent attribute (is it @Transient?); allowed: a basic "
              + ALLOWED_TYPES
              + " attribute of an entity");
    }
    Class<?> type =
        property.getValue() instanceof SimpleValue && !(property.getValue() instanceof Component)
            ? property.getType().getReturnedClass()
            : null;
    if (type == null || !ALLOWED.contains(type) || property.getValue().getColumnSpan() != 1) {
      String typeName = type == null ? property.getType().getName() : type.getSimpleName();
      throw new MappingException(
          where + " of type " + typeName + ": not an integral number; allowed: " + ALLOWED_TYPES);
    }
    // a non-updatable property is never dirty-checked: a counter-only change schedules no UPDATE
    // and does not bump the version; excluded from @OptimisticLocking(type = ALL | DIRTY) too
    property.resetUpdateable(false);
    property.setOptimisticLocked(false);
  }

  private static boolean hasProperty(Component component, String name) {
    for (Property property : component.getProperties()) {
      if (property.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static Property findProperty(PersistentClass entity, String name) {
    for (Property property : entity.getPropertyClosure()) {
      if (property.getName().equals(name)) {
        return property;
      }
    }
    return null;
  }

  private static void collectEmbeddables(Value value, Set<Class<?>> found) {
    if (value instanceof Component component) {
      // null for a dynamic (map) component: no class to carry an annotation
      Class<?> type = component.getComponentClass();
      if (type != null && found.add(type)) {
        for (Property property : component.getProperties()) {
          collectEmbeddables(property.getValue(), found);
        }
      }
    }
  }

  /** Names of the attributes annotated on {@code type} or its superclasses, fields and getters. */
  static Set<String> annotatedAttributes(Class<?> type) {
    Set<String> names = new LinkedHashSet<>();
    List<Class<?>> hierarchy = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      hierarchy.add(0, c);
    }
    Set<String> seen = new HashSet<>();
    for (Class<?> c : hierarchy) {
      for (Field field : c.getDeclaredFields()) {
        if (field.isAnnotationPresent(BufferedCounter.class) && seen.add(field.getName())) {
          names.add(field.getName());
        }
      }
      for (Method method : c.getDeclaredMethods()) {
        if (method.isAnnotationPresent(BufferedCounter.class)) {
          String name = propertyName(method.getName());
          if (seen.add(name)) {
            names.add(name);
          }
        }
      }
    }
    return names;
  }

  private static String propertyName(String getter) {
    if (getter.startsWith("get") && getter.length() > 3) {
      return decapitalize(getter.substring(3));
    }
    if (getter.startsWith("is") && getter.length() > 2) {
      return decapitalize(getter.substring(2));
    }
    return getter;
  }

  /**
   * The JavaBeans property name of a getter's suffix ({@code Views} to {@code views}, {@code URL}
   * stays {@code URL}), as {@code java.beans.Introspector} has it, without needing java.desktop.
   */
  static String decapitalize(String name) {
    if (name.isEmpty()
        || (name.length() > 1
            && Character.isUpperCase(name.charAt(1))
            && Character.isUpperCase(name.charAt(0)))) {
      return name;
    }
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }
}
