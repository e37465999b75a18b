package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.CacheStoreMode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * Whoever can write to the shared Redis cannot make a node deserialize arbitrary classes: Java
 * deserialization of an entry admits only the classes the mapping model names and JDK value types.
 * A refused entry is a miss and is deleted, and the refused class never runs.
 */
@RealServices
class SafeDecodingTest {

  static SessionFactory factory;
  static TestRedis redis;
  static RedissonClient client;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis testRedis) {
    redis = testRedis;
    client = TestRedisClients.fastFailing(redis.address());
    factory = Boot.factory(db, redis.hibernateProperties(), Post.class, Author.class, Trophy.class);
    factory.inTransaction(
        session -> {
          session.persist(new Post(1L, "first"));
          session.persist(new Trophy(1L, new Medal("gold")));
        });
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
    if (client != null) {
      client.shutdown();
    }
  }

  @Test
  void aPlantedGadgetIsNeverDeserializedTheReadMissesAndTheEntryIsDeleted() throws IOException {
    factory.inTransaction(session -> session.find(Post.class, 1L)); // cached
    // the load's write-back lands first: planted after it, not overwritten by it
    Boot.settled(factory);
    String key = keyOf(Post.class, 1L);
    // Stamped after the region's clear at boot (SchemaRecreation), or the read would take it for
    // an entry the clear removed and never decode it.
    byte[] planted = itemHoldingJavaSerialized(clearedAt(Post.class) + 1, new PlantedGadget());
    client.getBucket(key, ByteArrayCodec.INSTANCE).set(planted);

    Statistics stats = factory.getStatistics();
    stats.clear();
    // Stored nothing by the load (find ignores Session.setCacheMode, it takes an option): what the
    // key holds afterwards is the read's doing.
    String title =
        factory.fromTransaction(
            session -> session.find(Post.class, 1L, CacheStoreMode.BYPASS).getTitle());

    assertThat(title).isEqualTo("first");
    assertThat(PlantedGadget.readObjectRan).isFalse();
    assertThat(stats.getSecondLevelCacheHitCount()).isZero();
    assertThat(stats.getSecondLevelCacheMissCount()).isEqualTo(1);
    assertThat(redis.keys()).as("the planted entry was deleted").doesNotContain(key);
    // The next load caches the row again, and the one after reads it.
    factory.inTransaction(session -> session.find(Post.class, 1L));
    Boot.settled(factory);
    stats.clear();
    String again = factory.fromTransaction(session -> session.find(Post.class, 1L).getTitle());
    assertThat(again).isEqualTo("first");
    assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(1);
  }

  @Test
  void anAttributeOfAClassTheModelNamesIsStillCachedThroughJavaSerialization() {
    factory.inTransaction(session -> session.find(Trophy.class, 1L));
    Statistics stats = factory.getStatistics();
    stats.clear();
    Medal medal = factory.fromTransaction(session -> session.find(Trophy.class, 1L).medal);
    assertThat(medal).isEqualTo(new Medal("gold"));
    assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(1);
    assertThat(stats.getPrepareStatementCount()).isZero();
  }

  private static String keyOf(Class<?> entity, long id) {
    List<String> keys =
        redis.keys().stream()
            .filter(k -> k.contains(":" + entity.getName() + ":") && k.endsWith(":" + id))
            .toList();
    assertThat(keys).hasSize(1);
    return keys.get(0);
  }

  /** When the region of {@code entity} was last cleared (its clear key), in microseconds. */
  private static long clearedAt(Class<?> entity) {
    List<String> clearKeys =
        redis.keys().stream().filter(k -> k.endsWith(":" + entity.getName() + ":!clear")).toList();
    assertThat(clearKeys).as("the clear key of the region of " + entity.getName()).hasSize(1);
    return Long.parseLong(redis.command("GET", clearKeys.get(0)).toString());
  }

  /**
   * A READ_WRITE item as the cache writes it (see the README's Encoding section): format and kind,
   * a 16-digit timestamp (when it was written), a 21-character version ("none"), then the payload:
   * the tag of a Java-serialized value (99), its length and the bytes.
   */
  private static byte[] itemHoldingJavaSerialized(long timestampMicros, Object value)
      throws IOException {
    ByteArrayOutputStream serialized = new ByteArrayOutputStream();
    try (ObjectOutputStream objects = new ObjectOutputStream(serialized)) {
      objects.writeObject(value);
    }
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(record)) {
      String head = "1I" + String.format("%016d", timestampMicros) + "n00000000000000000000";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.writeByte(99);
      out.writeInt(serialized.size());
      out.write(serialized.toByteArray());
    }
    return record.toByteArray();
  }
}
