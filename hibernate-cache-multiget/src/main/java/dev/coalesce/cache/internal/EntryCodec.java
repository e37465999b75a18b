package dev.coalesce.cache.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer;
import org.hibernate.cache.spi.entry.CollectionCacheEntry;
import org.hibernate.cache.spi.entry.StandardCacheEntryImpl;
import org.hibernate.property.access.internal.PropertyAccessStrategyBackRefImpl;
import org.hibernate.sql.results.jdbc.internal.CachedJdbcValuesMetadata;
import org.hibernate.type.AnyType;
import org.hibernate.type.BasicType;
import org.hibernate.type.descriptor.java.JavaType;
import org.hibernate.type.descriptor.jdbc.JdbcType;
import org.hibernate.type.spi.TypeConfiguration;

/**
 * The compact binary form of what Hibernate caches: entity entries (disassembled state, subclass,
 * version), collection entries, natural ids, timestamps and query results. Common value types get a
 * one-byte tag and a fixed or length-prefixed body; anything else falls back to Java serialization.
 * Decoding never returns a half-read value: it throws {@link UndecodableEntryException}, and the
 * caller treats the entry as a miss and deletes it.
 *
 * <p>Over our usual 250 lines: the writer and the reader of one compact format, a tag per value
 * type, kept side by side so that a tag's two halves are read together.
 */
final class EntryCodec {

  private static final int NULL = 0;
  private static final int STRING = 1;
  private static final int LONG = 2;
  private static final int INT = 3;
  private static final int SHORT = 4;
  private static final int BYTE = 5;
  private static final int TRUE = 6;
  private static final int FALSE = 7;
  private static final int DOUBLE = 8;
  private static final int FLOAT = 9;
  private static final int CHAR = 10;
  private static final int BIG_DECIMAL = 11;
  private static final int BIG_INTEGER = 12;
  private static final int UUID_TAG = 13;
  private static final int BYTES = 14;
  private static final int SERIALIZABLE_ARRAY = 15;
  private static final int OBJECT_ARRAY = 16;
  private static final int ENTITY_ENTRY = 17;
  private static final int COLLECTION_ENTRY = 18;
  private static final int LOCAL_DATE = 19;
  private static final int LOCAL_DATE_TIME = 20;
  private static final int INSTANT = 21;
  private static final int SQL_TIMESTAMP = 22;
  private static final int DATE = 23;
  private static final int LOCAL_TIME = 24;
  private static final int ARRAY_LIST = 25;
  private static final int JDBC_VALUES_METADATA = 26;
  private static final int QUERY_RESULTS = 27;
  private static final int ANY_REFERENCE = 28;
  private static final int UNFETCHED = 30;
  private static final int BACKREF_UNKNOWN = 31;
  private static final int JAVA_SERIALIZED = 99;

  private static final MethodHandle NEW_ENTITY_ENTRY;
  private static final MethodHandle NEW_COLLECTION_ENTRY;
  private static final MethodHandle METADATA_TYPES;
  private static final Class<?> QUERY_RESULTS_CLASS;
  private static final MethodHandle NEW_QUERY_RESULTS;
  private static final MethodHandle QUERY_RESULTS_TIMESTAMP;
  private static final MethodHandle QUERY_RESULTS_LIST;
  private static final MethodHandle NEW_ANY_REFERENCE;
  private static final MethodHandle ANY_REFERENCE_ENTITY_NAME;
  private static final MethodHandle ANY_REFERENCE_ID;

  static {
    MethodHandle entity = null;
    MethodHandle collection = null;
    MethodHandle metadataTypes = null;
    Class<?> queryResults = null;
    MethodHandle newQueryResults = null;
    MethodHandle queryResultsTimestamp = null;
    MethodHandle queryResultsList = null;
    try {
      entity =
          MethodHandles.privateLookupIn(StandardCacheEntryImpl.class, MethodHandles.lookup())
              .findConstructor(
                  StandardCacheEntryImpl.class,
                  MethodType.methodType(
                      void.class, Serializable[].class, String.class, Object.class));
      collection =
          MethodHandles.privateLookupIn(CollectionCacheEntry.class, MethodHandles.lookup())
              .findConstructor(
                  CollectionCacheEntry.class,
                  MethodType.methodType(void.class, Serializable.class));
      metadataTypes =
          MethodHandles.privateLookupIn(CachedJdbcValuesMetadata.class, MethodHandles.lookup())
              .findGetter(CachedJdbcValuesMetadata.class, "types", BasicType[].class);
      queryResults =
          Class.forName(
              "org.hibernate.cache.internal.QueryResultsCacheImpl$CacheItem",
              false,
              StandardCacheEntryImpl.class.getClassLoader());
      MethodHandles.Lookup items =
          MethodHandles.privateLookupIn(queryResults, MethodHandles.lookup());
      newQueryResults =
          items.findConstructor(
              queryResults, MethodType.methodType(void.class, long.class, List.class));
      queryResultsTimestamp =
          items.findVirtual(queryResults, "timestamp", MethodType.methodType(long.class));
      queryResultsList =
          items.findVirtual(queryResults, "results", MethodType.methodType(List.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      // On a module path that does not open Hibernate's packages, entries fall back to Java
      // serialization: larger, but correct.
      entity = null;
      collection = null;
      metadataTypes = null;
      queryResults = null;
    }
    NEW_ENTITY_ENTRY = entity;
    NEW_COLLECTION_ENTRY = collection;
    METADATA_TYPES = metadataTypes;
    QUERY_RESULTS_CLASS = queryResults;
    NEW_QUERY_RESULTS = newQueryResults;
    QUERY_RESULTS_TIMESTAMP = queryResultsTimestamp;
    QUERY_RESULTS_LIST = queryResultsList;

    MethodHandle newAnyReference = null;
    MethodHandle anyReferenceEntityName = null;
    MethodHandle anyReferenceId = null;
    try {
      MethodHandles.Lookup any =
          MethodHandles.privateLookupIn(AnyType.ObjectTypeCacheEntry.class, MethodHandles.lookup());
      newAnyReference =
          any.findConstructor(
              AnyType.ObjectTypeCacheEntry.class,
              MethodType.methodType(void.class, String.class, Object.class));
      anyReferenceEntityName =
          any.findGetter(AnyType.ObjectTypeCacheEntry.class, "entityName", String.class);
      anyReferenceId = any.findGetter(AnyType.ObjectTypeCacheEntry.class, "id", Object.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // as above: Java serialization, which DecodingContext's filter admits for this class
      newAnyReference = null;
    }
    NEW_ANY_REFERENCE = newAnyReference;
    ANY_REFERENCE_ENTITY_NAME = anyReferenceEntityName;
    ANY_REFERENCE_ID = anyReferenceId;
  }

  private EntryCodec() {}

  private record EntityName(String name, byte[] utf8) {}

  /** A power of two: slots of a direct-mapped cache of entity names, by length and last bytes. */
  private static final int ENTITY_NAME_SLOTS = 64;

  /** Entity names seen in entries; a collision only replaces the slot's name. */
  private static final java.util.concurrent.atomic.AtomicReferenceArray<EntityName> ENTITY_NAMES =
      new java.util.concurrent.atomic.AtomicReferenceArray<>(ENTITY_NAME_SLOTS);

  static byte[] encode(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      write(out, value);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode a cache entry of " + value.getClass(), e);
    }
    return bytes.toByteArray();
  }

  static Object decode(byte[] record, int offset) {
    return decode(record, offset, DecodingContext.NONE);
  }

  static Object decode(byte[] record, int offset, DecodingContext context) {
    try {
      Reader in = new Reader(record, offset, context);
      Object value = read(in);
      if (in.available() > 0) {
        throw new UndecodableEntryException("trailing bytes after the value");
      }
      return value;
    } catch (IOException | ClassNotFoundException | ClassCastException | LinkageError e) {
      throw new UndecodableEntryException(e.toString());
    } catch (RuntimeException e) {
      if (e instanceof UndecodableEntryException u) {
        throw u;
      }
      throw new UndecodableEntryException(e.toString());
    }
  }

  /** A cursor over the record: cheaper than a DataInputStream on the hot read path. */
  private static final class Reader {
    private final byte[] bytes;
    private final DecodingContext context;
    private int position;

    Reader(byte[] bytes, int position, DecodingContext context) {
      this.bytes = bytes;
      this.position = position;
      this.context = context;
    }

    int available() {
      return bytes.length - position;
    }

    private void need(int count) {
      if (count < 0 || count > bytes.length - position) {
        throw new UndecodableEntryException("truncated entry");
      }
    }

    int readUnsignedByte() {
      need(1);
      return bytes[position++] & 0xff;
    }

    byte readByte() {
      need(1);
      return bytes[position++];
    }

    short readShort() {
      need(2);
      short value = (short) (((bytes[position] & 0xff) << 8) | (bytes[position + 1] & 0xff));
      position += 2;
      return value;
    }

    char readChar() {
      return (char) readShort();
    }

    int readInt() {
      need(4);
      int value =
          ((bytes[position] & 0xff) << 24)
              | ((bytes[position + 1] & 0xff) << 16)
              | ((bytes[position + 2] & 0xff) << 8)
              | (bytes[position + 3] & 0xff);
      position += 4;
      return value;
    }

    long readLong() {
      long high = readInt() & 0xffffffffL;
      long low = readInt() & 0xffffffffL;
      return (high << 32) | low;
    }

    float readFloat() {
      return Float.intBitsToFloat(readInt());
    }

    double readDouble() {
      return Double.longBitsToDouble(readLong());
    }

    byte[] readBytes(int length) {
      need(length);
      byte[] copy = java.util.Arrays.copyOfRange(bytes, position, position + length);
      position += length;
      return copy;
    }

    /**
     * An entity name: the same few names in every entry, so one shared instance per name (its hash
     * computed once) instead of a new string that Hibernate hashes again to find the persister.
     */
    String readEntityName(int length) {
      need(length);
      int slot = length * 31;
      if (length > 1) {
        slot += bytes[position + length - 1] * 7 + bytes[position + length - 2];
      }
      slot &= ENTITY_NAME_SLOTS - 1;
      EntityName cached = ENTITY_NAMES.get(slot);
      if (cached != null
          && cached.utf8().length == length
          && java.util.Arrays.equals(
              cached.utf8(), 0, length, bytes, position, position + length)) {
        position += length;
        return cached.name();
      }
      String name = readUtf8(length);
      name.hashCode();
      ENTITY_NAMES.set(slot, new EntityName(name, name.getBytes(StandardCharsets.UTF_8)));
      return name;
    }

    String readUtf8(int length) {
      need(length);
      String value = new String(bytes, position, length, StandardCharsets.UTF_8);
      position += length;
      return value;
    }
  }

  private static void write(DataOutputStream out, Object value) throws IOException {
    if (value == null) {
      out.writeByte(NULL);
    } else if (value == LazyPropertyInitializer.UNFETCHED_PROPERTY) {
      out.writeByte(UNFETCHED);
    } else if (value == PropertyAccessStrategyBackRefImpl.UNKNOWN) {
      out.writeByte(BACKREF_UNKNOWN);
    } else if (value instanceof String s) {
      out.writeByte(STRING);
      writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    } else if (value instanceof Long l) {
      out.writeByte(LONG);
      out.writeLong(l);
    } else if (value instanceof Integer i) {
      out.writeByte(INT);
      out.writeInt(i);
    } else if (value instanceof Short s) {
      out.writeByte(SHORT);
      out.writeShort(s);
    } else if (value instanceof Byte b) {
      out.writeByte(BYTE);
      out.writeByte(b);
    } else if (value instanceof Boolean b) {
      out.writeByte(b ? TRUE : FALSE);
    } else if (value instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (value instanceof Float f) {
      out.writeByte(FLOAT);
      out.writeFloat(f);
    } else if (value instanceof Character c) {
      out.writeByte(CHAR);
      out.writeChar(c);
    } else if (value.getClass() == BigDecimal.class) {
      BigDecimal d = (BigDecimal) value;
      out.writeByte(BIG_DECIMAL);
      out.writeInt(d.scale());
      writeBytes(out, d.unscaledValue().toByteArray());
    } else if (value.getClass() == BigInteger.class) {
      out.writeByte(BIG_INTEGER);
      writeBytes(out, ((BigInteger) value).toByteArray());
    } else if (value instanceof UUID u) {
      out.writeByte(UUID_TAG);
      out.writeLong(u.getMostSignificantBits());
      out.writeLong(u.getLeastSignificantBits());
    } else if (value instanceof byte[] b) {
      out.writeByte(BYTES);
      writeBytes(out, b);
    } else if (value.getClass() == Serializable[].class) {
      writeArray(out, SERIALIZABLE_ARRAY, (Object[]) value);
    } else if (value.getClass() == Object[].class) {
      writeArray(out, OBJECT_ARRAY, (Object[]) value);
    } else if (value.getClass() == StandardCacheEntryImpl.class && NEW_ENTITY_ENTRY != null) {
      StandardCacheEntryImpl entry = (StandardCacheEntryImpl) value;
      out.writeByte(ENTITY_ENTRY);
      writeBytes(out, entry.getSubclass().getBytes(StandardCharsets.UTF_8));
      write(out, entry.getVersion());
      write(out, entry.getDisassembledState());
    } else if (value.getClass() == AnyType.ObjectTypeCacheEntry.class
        && NEW_ANY_REFERENCE != null) {
      writeAnyReference(out, value);
    } else if (value.getClass() == CollectionCacheEntry.class && NEW_COLLECTION_ENTRY != null) {
      out.writeByte(COLLECTION_ENTRY);
      write(out, ((CollectionCacheEntry) value).getState());
    } else if (value.getClass() == LocalDate.class) {
      out.writeByte(LOCAL_DATE);
      out.writeLong(((LocalDate) value).toEpochDay());
    } else if (value.getClass() == LocalDateTime.class) {
      LocalDateTime t = (LocalDateTime) value;
      out.writeByte(LOCAL_DATE_TIME);
      out.writeLong(t.toLocalDate().toEpochDay());
      out.writeLong(t.toLocalTime().toNanoOfDay());
    } else if (value.getClass() == LocalTime.class) {
      out.writeByte(LOCAL_TIME);
      out.writeLong(((LocalTime) value).toNanoOfDay());
    } else if (value.getClass() == Instant.class) {
      Instant t = (Instant) value;
      out.writeByte(INSTANT);
      out.writeLong(t.getEpochSecond());
      out.writeInt(t.getNano());
    } else if (value.getClass() == Timestamp.class) {
      Timestamp t = (Timestamp) value;
      out.writeByte(SQL_TIMESTAMP);
      out.writeLong(t.getTime());
      out.writeInt(t.getNanos());
    } else if (value.getClass() == Date.class) {
      out.writeByte(DATE);
      out.writeLong(((Date) value).getTime());
    } else if (value.getClass() == QUERY_RESULTS_CLASS) {
      writeQueryResults(out, value);
    } else if (value.getClass() == CachedJdbcValuesMetadata.class && METADATA_TYPES != null) {
      writeMetadata(out, (CachedJdbcValuesMetadata) value);
    } else if (value.getClass() == ArrayList.class) {
      List<?> list = (List<?>) value;
      out.writeByte(ARRAY_LIST);
      out.writeInt(list.size());
      for (Object element : list) {
        write(out, element);
      }
    } else {
      out.writeByte(JAVA_SERIALIZED);
      ByteArrayOutputStream serialized = new ByteArrayOutputStream();
      try (ObjectOutputStream objects = new ObjectOutputStream(serialized)) {
        objects.writeObject(value);
      }
      writeBytes(out, serialized.toByteArray());
    }
  }

  /**
   * An {@code @Any} or {@code @ManyToAny} reference as Hibernate caches it (its {@code
   * ObjectTypeCacheEntry}): the target's entity name and id.
   */
  private static void writeAnyReference(DataOutputStream out, Object reference) throws IOException {
    String entityName;
    Object id;
    try {
      entityName = (String) ANY_REFERENCE_ENTITY_NAME.invoke(reference);
      id = ANY_REFERENCE_ID.invoke(reference);
    } catch (Throwable e) {
      throw new IOException("cannot read the @Any reference " + reference, e);
    }
    out.writeByte(ANY_REFERENCE);
    writeBytes(out, entityName.getBytes(StandardCharsets.UTF_8));
    write(out, id);
  }

  /**
   * A query-results entry: its timestamp and its list, element by element (the first element of a
   * native query's list is its result metadata, see {@link #writeMetadata}).
   */
  private static void writeQueryResults(DataOutputStream out, Object item) throws IOException {
    long timestamp;
    List<?> results;
    try {
      timestamp = (long) QUERY_RESULTS_TIMESTAMP.invoke(item);
      results = (List<?>) QUERY_RESULTS_LIST.invoke(item);
    } catch (Throwable e) {
      throw new IOException("cannot read the query results " + item, e);
    }
    out.writeByte(QUERY_RESULTS);
    out.writeLong(timestamp);
    out.writeInt(results.size());
    for (Object element : results) {
      write(out, element);
    }
  }

  /**
   * The list of a query-results entry (Hibernate's {@code QueryResultsCacheImpl} item), or null if
   * {@code value} is not one.
   */
  static List<?> queryResultsOf(Object value) {
    if (value == null || value.getClass() != QUERY_RESULTS_CLASS) {
      return null;
    }
    try {
      return (List<?>) QUERY_RESULTS_LIST.invoke(value);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot read the query results " + value, e);
    }
  }

  private static Object readQueryResults(Reader in) throws IOException, ClassNotFoundException {
    long timestamp = in.readLong();
    int size = readCount(in);
    List<Object> results = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      results.add(read(in));
    }
    try {
      return NEW_QUERY_RESULTS.invoke(timestamp, results);
    } catch (Throwable e) {
      throw new UndecodableEntryException(e.toString());
    }
  }

  /**
   * The result metadata Hibernate puts first in a native query's cached results: column names, each
   * type as its Java class and JDBC type code (rebuilt from the reading factory's registries, see
   * {@link #readMetadata}), and the value-to-cache index map.
   */
  private static void writeMetadata(DataOutputStream out, CachedJdbcValuesMetadata metadata)
      throws IOException {
    BasicType<?>[] types;
    try {
      types = (BasicType<?>[]) METADATA_TYPES.invoke(metadata);
    } catch (Throwable e) {
      throw new IOException("cannot read the types of " + metadata, e);
    }
    out.writeByte(JDBC_VALUES_METADATA);
    out.writeInt(metadata.getColumnCount());
    for (int position = 1; position <= metadata.getColumnCount(); position++) {
      write(out, metadata.resolveColumnName(position)); // JDBC positions: from 1
    }
    out.writeInt(types.length);
    for (BasicType<?> type : types) {
      if (type == null) {
        write(out, null);
      } else {
        write(out, type.getJavaTypeDescriptor().getJavaTypeClass().getName());
        out.writeInt(type.getJdbcType().getDefaultSqlTypeCode());
      }
    }
    int[] indexes = metadata.getValueIndexesToCacheIndexes();
    out.writeInt(indexes.length);
    for (int index : indexes) {
      out.writeInt(index);
    }
  }

  private static CachedJdbcValuesMetadata readMetadata(Reader in)
      throws IOException, ClassNotFoundException {
    TypeConfiguration configuration = in.context.types();
    if (configuration == null) {
      throw new UndecodableEntryException("query result metadata needs the reading factory");
    }
    String[] columnNames = new String[readCount(in)];
    for (int i = 0; i < columnNames.length; i++) {
      columnNames[i] = (String) read(in);
    }
    BasicType<?>[] types = new BasicType<?>[readCount(in)];
    for (int i = 0; i < types.length; i++) {
      String javaClass = (String) read(in);
      if (javaClass != null) {
        types[i] = basicType(configuration, javaClass, in.readInt());
      }
    }
    int[] indexes = new int[readCount(in)];
    for (int i = 0; i < indexes.length; i++) {
      indexes[i] = in.readInt();
    }
    return new CachedJdbcValuesMetadata(columnNames, types, indexes);
  }

  /** The factory's own instance of a basic type: Hibernate compares them by identity. */
  private static BasicType<?> basicType(
      TypeConfiguration configuration, String javaClass, int jdbcTypeCode)
      throws ClassNotFoundException {
    // loaded, never initialized: only a type the factory's registry knows is used
    Class<?> type = Class.forName(javaClass, false, classLoader());
    JavaType<?> javaType = configuration.getJavaTypeRegistry().findDescriptor(type);
    JdbcType jdbcType = configuration.getJdbcTypeRegistry().findDescriptor(jdbcTypeCode);
    if (javaType == null || jdbcType == null) {
      throw new UndecodableEntryException(
          "no basic type for " + javaClass + " and JDBC type " + jdbcTypeCode);
    }
    return configuration.getBasicTypeRegistry().resolve(javaType, jdbcType);
  }

  private static ClassLoader classLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : EntryCodec.class.getClassLoader();
  }

  private static void writeArray(DataOutputStream out, int tag, Object[] array) throws IOException {
    out.writeByte(tag);
    out.writeInt(array.length);
    for (Object element : array) {
      write(out, element);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] readBytes(Reader in) {
    return in.readBytes(readLength(in));
  }

  private static int readLength(Reader in) {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new UndecodableEntryException("bad length " + length);
    }
    return length;
  }

  private static int readCount(Reader in) {
    int count = in.readInt();
    if (count < 0 || count > in.available()) {
      throw new UndecodableEntryException("bad element count " + count);
    }
    return count;
  }

  private static Object read(Reader in) throws IOException, ClassNotFoundException {
    int tag = in.readUnsignedByte();
    switch (tag) {
      case NULL:
        return null;
      case UNFETCHED:
        return LazyPropertyInitializer.UNFETCHED_PROPERTY;
      case BACKREF_UNKNOWN:
        return PropertyAccessStrategyBackRefImpl.UNKNOWN;
      case STRING:
        return in.readUtf8(readLength(in));
      case LONG:
        return in.readLong();
      case INT:
        return in.readInt();
      case SHORT:
        return in.readShort();
      case BYTE:
        return in.readByte();
      case TRUE:
        return Boolean.TRUE;
      case FALSE:
        return Boolean.FALSE;
      case DOUBLE:
        return in.readDouble();
      case FLOAT:
        return in.readFloat();
      case CHAR:
        return in.readChar();
      case BIG_DECIMAL:
        {
          int scale = in.readInt();
          return new BigDecimal(new BigInteger(readBytes(in)), scale);
        }
      case BIG_INTEGER:
        return new BigInteger(readBytes(in));
      case UUID_TAG:
        return new UUID(in.readLong(), in.readLong());
      case BYTES:
        return readBytes(in);
      case SERIALIZABLE_ARRAY:
        {
          Serializable[] array = new Serializable[readCount(in)];
          for (int i = 0; i < array.length; i++) {
            array[i] = (Serializable) read(in);
          }
          return array;
        }
      case OBJECT_ARRAY:
        {
          Object[] array = new Object[readCount(in)];
          for (int i = 0; i < array.length; i++) {
            array[i] = read(in);
          }
          return array;
        }
      case ENTITY_ENTRY:
        {
          if (NEW_ENTITY_ENTRY == null) {
            throw new UndecodableEntryException("entity entries cannot be rebuilt here");
          }
          String subclass = in.readEntityName(readLength(in));
          Object version = read(in);
          Serializable[] state = (Serializable[]) read(in);
          try {
            return (StandardCacheEntryImpl) NEW_ENTITY_ENTRY.invoke(state, subclass, version);
          } catch (Throwable e) {
            throw new UndecodableEntryException(e.toString());
          }
        }
      case ANY_REFERENCE:
        {
          if (NEW_ANY_REFERENCE == null) {
            throw new UndecodableEntryException("@Any references cannot be rebuilt here");
          }
          String entityName = in.readEntityName(readLength(in));
          Object id = read(in);
          try {
            return (AnyType.ObjectTypeCacheEntry) NEW_ANY_REFERENCE.invoke(entityName, id);
          } catch (Throwable e) {
            throw new UndecodableEntryException(e.toString());
          }
        }
      case COLLECTION_ENTRY:
        {
          if (NEW_COLLECTION_ENTRY == null) {
            throw new UndecodableEntryException("collection entries cannot be rebuilt here");
          }
          Serializable state = (Serializable) read(in);
          try {
            return (CollectionCacheEntry) NEW_COLLECTION_ENTRY.invoke(state);
          } catch (Throwable e) {
            throw new UndecodableEntryException(e.toString());
          }
        }
      case LOCAL_DATE:
        return LocalDate.ofEpochDay(in.readLong());
      case LOCAL_DATE_TIME:
        return LocalDateTime.of(
            LocalDate.ofEpochDay(in.readLong()), LocalTime.ofNanoOfDay(in.readLong()));
      case LOCAL_TIME:
        return LocalTime.ofNanoOfDay(in.readLong());
      case INSTANT:
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
      case SQL_TIMESTAMP:
        {
          Timestamp t = new Timestamp(in.readLong());
          t.setNanos(in.readInt());
          return t;
        }
      case DATE:
        return new Date(in.readLong());
      case ARRAY_LIST:
        {
          int size = readCount(in);
          List<Object> list = new ArrayList<>(size);
          for (int i = 0; i < size; i++) {
            list.add(read(in));
          }
          return list;
        }
      case JDBC_VALUES_METADATA:
        return readMetadata(in);
      case QUERY_RESULTS:
        if (NEW_QUERY_RESULTS == null) {
          throw new UndecodableEntryException("query results cannot be rebuilt here");
        }
        return readQueryResults(in);
      case JAVA_SERIALIZED:
        {
          byte[] serialized = readBytes(in);
          try (ObjectInputStream objects =
              new ContextClassLoaderObjectInputStream(new ByteArrayInputStream(serialized))) {
            // only classes of the mapping model and JDK value types (see DecodingContext)
            objects.setObjectInputFilter(in.context.filter());
            return objects.readObject();
          }
        }
      default:
        throw new UndecodableEntryException("unknown tag " + tag);
    }
  }

  /** Resolves classes with the thread's context class loader first, as web containers need. */
  private static final class ContextClassLoaderObjectInputStream extends ObjectInputStream {
    ContextClassLoaderObjectInputStream(ByteArrayInputStream in) throws IOException {
      super(in);
    }

    @Override
    protected Class<?> resolveClass(java.io.ObjectStreamClass desc)
        throws IOException, ClassNotFoundException {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      if (loader != null) {
        try {
          return Class.forName(desc.getName(), false, loader);
        } catch (ClassNotFoundException e) {
          // fall through to the default resolution below
        }
      }
      return super.resolveClass(desc);
    }
  }
}
