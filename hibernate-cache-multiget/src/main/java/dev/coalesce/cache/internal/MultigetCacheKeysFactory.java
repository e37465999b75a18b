package dev.coalesce.cache.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.collection.CollectionPersister;
import org.hibernate.persister.entity.EntityPersister;
import org.hibernate.type.Type;

/**
 * Compact, stable string keys: {@code <shape>:<id>}. The shape is a short hash of the entity's (or
 * collection's) name and its attributes' names and types, so entries written by a deploy with a
 * different class shape are simply never read (and expire), instead of failing to assemble. Simple
 * ids (numbers, strings, UUIDs) appear as text; others as the base64 of their encoding.
 */
final class MultigetCacheKeysFactory implements org.hibernate.cache.spi.CacheKeysFactory {

  private final Map<String, String> shapes = new ConcurrentHashMap<>();
  private final Map<Object, String> shapesByPersister = new ConcurrentHashMap<>();

  /** One per region factory: it remembers the shapes of that factory's persisters. */
  public MultigetCacheKeysFactory() {}

  // CollectionPersister's getKeyType(), getElementType() and getIndexType() are deprecated for
  // removal in favour of the mapping model's descriptors, which are not Types and have no
  // replacement for them: the key is disassembled by the key Type, as Hibernate's own
  // DefaultCacheKeysFactory still does in 7.4
  @SuppressWarnings("removal")
  @Override
  public Object createCollectionKey(
      Object id,
      CollectionPersister persister,
      SessionFactoryImplementor factory,
      String tenantIdentifier) {
    String shape = shapesByPersister.get(persister);
    if (shape == null) {
      shape = shapesByPersister.computeIfAbsent(persister, p -> collectionShape(persister));
    }
    return new CacheKey(
        text(shape, tenantIdentifier, disassembled(id, persister.getKeyType(), factory)), id);
  }

  // getElementType() and getIndexType(): see createCollectionKey; the shape hashes the Types'
  // names, which the mapping model's descriptors do not have
  @SuppressWarnings("removal")
  private String collectionShape(CollectionPersister persister) {
    return shapes.computeIfAbsent(
        "c/" + persister.getRole(),
        role ->
            hash(
                role
                    + "|"
                    + persister.getElementType().getName()
                    + "|"
                    + (persister.getIndexType() == null
                        ? ""
                        : persister.getIndexType().getName())));
  }

  @Override
  public Object createEntityKey(
      Object id,
      EntityPersister persister,
      SessionFactoryImplementor factory,
      String tenantIdentifier) {
    return new CacheKey(
        text(
            entityShape(persister),
            tenantIdentifier,
            disassembled(id, persister.getIdentifierType(), factory)),
        id);
  }

  @Override
  public Object createNaturalIdKey(
      Object naturalIdValues, EntityPersister persister, SharedSessionContractImplementor session) {
    return new CacheKey(
        "n"
            + entityShape(persister)
            + ":"
            + tenant(session.getTenantIdentifier())
            + idText(persister.getNaturalIdMapping().disassemble(naturalIdValues, session)),
        naturalIdValues);
  }

  /**
   * What a key's text is built from: simple ids as they are, others in Hibernate's disassembled
   * form (an association as its target's id, so a proxy and its entity give one key, and no entity
   * is ever encoded into a key).
   */
  private static Object disassembled(Object id, Type type, SessionFactoryImplementor factory) {
    if (isSimple(id)) {
      return id;
    }
    return type.disassemble(id, factory);
  }

  private static boolean isSimple(Object id) {
    return id instanceof Long
        || id instanceof Integer
        || id instanceof Short
        || id instanceof Byte
        || id instanceof String
        || id instanceof UUID;
  }

  @Override
  public Object getEntityId(Object cacheKey) {
    return ((CacheKey) cacheKey).id();
  }

  @Override
  public Object getCollectionId(Object cacheKey) {
    return ((CacheKey) cacheKey).id();
  }

  @Override
  public Object getNaturalIdValues(Object cacheKey) {
    return ((CacheKey) cacheKey).id();
  }

  private String entityShape(EntityPersister persister) {
    // persisters hash by identity: no string hashing per key; get first: no lambda per key
    String shape = shapesByPersister.get(persister);
    return shape != null
        ? shape
        : shapesByPersister.computeIfAbsent(persister, p -> computeEntityShape(persister));
  }

  /** {@code <shape>:<tenant/><id text>}, built in one step for the usual numeric ids. */
  private static String text(String shape, String tenantIdentifier, Object id) {
    if (tenantIdentifier == null && id instanceof Long l) {
      return shape + ":" + l.longValue();
    }
    return shape + ":" + tenant(tenantIdentifier) + idText(id);
  }

  private String computeEntityShape(EntityPersister persister) {
    return shapes.computeIfAbsent(
        "e/" + persister.getRootEntityName(),
        name -> {
          var metamodel = persister.getFactory().getMappingMetamodel();
          EntityPersister root = metamodel.getEntityDescriptor(persister.getRootEntityName());
          StringBuilder shape = new StringBuilder(name);
          String[] names = root.getPropertyNames();
          Type[] types = root.getPropertyTypes();
          for (int i = 0; i < names.length; i++) {
            shape.append('|').append(names[i]).append('=').append(types[i].getName());
          }
          // subclasses add attributes: their shapes matter too
          for (String subclass : new java.util.TreeSet<>(root.getSubclassEntityNames())) {
            EntityPersister sub = metamodel.getEntityDescriptor(subclass);
            shape.append('|').append(subclass).append('#').append(sub.getPropertyNames().length);
          }
          return hash(shape.toString());
        });
  }

  private static String tenant(String tenantIdentifier) {
    return tenantIdentifier == null ? "" : tenantIdentifier + "/";
  }

  static String idText(Object id) {
    if (id instanceof Long || id instanceof Integer || id instanceof Short || id instanceof Byte) {
      return id.toString();
    }
    if (id instanceof String s) {
      return "'" + s;
    }
    if (id instanceof UUID u) {
      return u.toString();
    }
    return "~" + Base64.getUrlEncoder().withoutPadding().encodeToString(EntryCodec.encode(id));
  }

  private static String hash(String text) {
    CRC32 crc = new CRC32();
    crc.update(text.getBytes(StandardCharsets.UTF_8));
    return String.format(Locale.ROOT, "%08x", crc.getValue());
  }
}
