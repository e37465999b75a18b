package dev.coalesce.cache.internal;

import java.io.ObjectInputFilter;
import java.util.HashSet;
import java.util.Set;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.AnyType;
import org.hibernate.type.ComponentType;
import org.hibernate.type.Type;
import org.hibernate.type.spi.TypeConfiguration;

/**
 * What decoding an entry needs from the SessionFactory that reads it: its type configuration, to
 * rebuild the types of cached query-result metadata as the very instances Hibernate compares them
 * with (by identity), and the filter Java deserialization runs under.
 *
 * <p>The filter admits only the classes the mapping model names (entity, id, embeddable and
 * attribute types, collection elements and indexes, Hibernate's cached form of an {@code @Any}
 * reference if the model has one) and JDK value types ({@code java.lang}, {@code java.math}, {@code
 * java.time}, {@code java.util} and {@code java.sql} dates), arrays of those and of primitives;
 * anything else, whoever wrote it into Redis, is refused before it is instantiated (the entry is
 * then a miss and is deleted).
 */
final class DecodingContext {

  private static final int MAX_DEPTH = 32;
  private static final long MAX_REFERENCES = 100_000;
  private static final long MAX_ARRAY_LENGTH = 10_000_000;

  private static final Set<String> JDK_PACKAGES =
      Set.of("java.lang", "java.math", "java.time", "java.util");

  private static final Set<String> JDK_CLASSES =
      Set.of("java.sql.Date", "java.sql.Time", "java.sql.Timestamp");

  /** Decoding without a factory: JDK value types only; query metadata is undecodable. */
  static final DecodingContext NONE = new DecodingContext(null, Set.of());

  private final TypeConfiguration types;
  private final Set<String> modelClasses;
  private final ObjectInputFilter filter;

  private DecodingContext(TypeConfiguration types, Set<String> modelClasses) {
    this.types = types;
    this.modelClasses = Set.copyOf(modelClasses);
    this.filter = this::check;
  }

  // CollectionPersister's getKeyType(), getElementType() and getIndexType() are deprecated for
  // removal in favour of the mapping model's descriptors, which are not Types: the classes allowed
  // to decode are collected from the same Types that Hibernate disassembles into the cache
  @SuppressWarnings("removal")
  static DecodingContext of(SessionFactoryImplementor factory) {
    Set<String> classes = new HashSet<>();
    var metamodel = factory.getMappingMetamodel();
    metamodel.forEachEntityDescriptor(
        persister -> {
          add(classes, persister.getMappedClass());
          addType(classes, persister.getIdentifierType());
          for (Type type : persister.getPropertyTypes()) {
            addType(classes, type);
          }
          addNaturalId(classes, persister);
        });
    metamodel.forEachCollectionDescriptor(
        persister -> {
          addType(classes, persister.getKeyType());
          addType(classes, persister.getElementType());
          if (persister.getIndexType() != null) {
            addType(classes, persister.getIndexType());
          }
        });
    return new DecodingContext(factory.getTypeConfiguration(), classes);
  }

  private static void addNaturalId(Set<String> classes, EntityPersister persister) {
    if (persister.getNaturalIdMapping() != null) {
      persister
          .getNaturalIdMapping()
          .getNaturalIdAttributes()
          .forEach(a -> add(classes, a.getJavaType().getJavaTypeClass()));
    }
  }

  private static void addType(Set<String> classes, Type type) {
    if (type == null || type.isCollectionType()) {
      return; // a collection's elements are listed by its own persister
    }
    if (type.isEntityType()) {
      return; // cached as the target's id, listed with the target
    }
    add(classes, type.getReturnedClass());
    if (type instanceof AnyType) {
      // what Hibernate caches for an @Any reference (entity name and id; the id's class is the
      // target's id class, listed with the target). EntryCodec has a tag for it; this admits the
      // Java-serialized form, written where that tag cannot be used.
      add(classes, AnyType.ObjectTypeCacheEntry.class);
    }
    if (type instanceof ComponentType component) {
      for (Type part : component.getSubtypes()) {
        addType(classes, part);
      }
    }
  }

  private static void add(Set<String> classes, Class<?> type) {
    if (type != null && !type.isPrimitive()) {
      classes.add(type.getName());
    }
  }

  /** The factory's types, or null without one. */
  TypeConfiguration types() {
    return types;
  }

  /** The filter Java deserialization of an entry runs under. */
  ObjectInputFilter filter() {
    return filter;
  }

  private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info) {
    if (info.depth() > MAX_DEPTH
        || info.references() > MAX_REFERENCES
        || info.arrayLength() > MAX_ARRAY_LENGTH) {
      return ObjectInputFilter.Status.REJECTED;
    }
    Class<?> type = info.serialClass();
    if (type == null) {
      return ObjectInputFilter.Status.UNDECIDED;
    }
    while (type.isArray()) {
      type = type.getComponentType();
    }
    return admits(type) ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
  }

  private boolean admits(Class<?> type) {
    if (type.isPrimitive() || modelClasses.contains(type.getName())) {
      return true;
    }
    if (JDK_CLASSES.contains(type.getName())) {
      return true;
    }
    // JDK value types, loaded by the boot loader (a class named java.* cannot be defined by an
    // application loader anyway)
    return type.getClassLoader() == null && JDK_PACKAGES.contains(type.getPackageName());
  }

  /** One context per SessionFactory, built on first use (the mapping model exists by then). */
  static final class PerFactory {
    private record Built(SessionFactoryImplementor factory, DecodingContext context) {}

    private volatile Built built;

    DecodingContext of(SharedSessionContractImplementor session) {
      if (session == null) {
        return NONE;
      }
      SessionFactoryImplementor factory = session.getFactory();
      Built known = built;
      if (known == null || known.factory() != factory) {
        known = new Built(factory, DecodingContext.of(factory));
        built = known;
      }
      return known.context();
    }
  }
}
