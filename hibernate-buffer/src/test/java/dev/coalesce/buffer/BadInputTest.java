package dev.coalesce.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Embedded;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.Version;
import java.io.IOException;
import java.io.Serializable;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.hibernate.annotations.TenantId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "Bad input gets a clear error and loses nothing." */
@RealServices
class BadInputTest {

  @Entity(name = "Listing")
  @Inheritance(strategy = InheritanceType.TABLE_PER_CLASS)
  public abstract static class Listing {
    @Id Long id;
    @BufferedCounter long views;
  }

  @Entity(name = "Flat")
  public static class Flat extends Listing {
    int rooms;
  }

  @Entity(name = "TenantCounter")
  public static class TenantCounter {
    @Id Long id;
    @TenantId String tenant;
    @BufferedCounter long views;
  }

  @Entity(name = "TextCounter")
  public static class TextCounter {
    @Id Long id;
    @BufferedCounter String title;
  }

  @Entity(name = "DecimalCounter")
  public static class DecimalCounter {
    @Id Long id;
    @BufferedCounter double score;
  }

  @Entity(name = "IdCounter")
  public static class IdCounter {
    @Id @BufferedCounter Long id;
  }

  @Entity(name = "VersionCounter")
  public static class VersionCounter {
    @Id Long id;
    @Version @BufferedCounter long version;
  }

  @Embeddable
  public static class Stats {
    @BufferedCounter long hits;
  }

  @Entity(name = "EmbeddedCounter")
  public static class EmbeddedCounter {
    @Id Long id;
    @Embedded Stats stats;
  }

  @Embeddable
  public static class PairKey implements Serializable {
    long a;
    long b;

    @Override
    public boolean equals(Object o) {
      return o instanceof PairKey k && k.a == a && k.b == b;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(a) * 31 + Long.hashCode(b);
    }
  }

  @Entity(name = "CompositeCounter")
  public static class CompositeCounter {
    @EmbeddedId PairKey id;
    @BufferedCounter long hits;
  }

  public static class PairId implements Serializable {
    long a;
    long b;

    @Override
    public boolean equals(Object o) {
      return o instanceof PairId k && k.a == a && k.b == b;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(a) * 31 + Long.hashCode(b);
    }
  }

  @Entity(name = "IdClassCounter")
  @IdClass(PairId.class)
  public static class IdClassCounter {
    @Id long a;
    @Id long b;
    @BufferedCounter long hits;
  }

  private static String bootFailure(Map<String, Object> settings, Class<?>... entities) {
    Throwable thrown = null;
    try {
      Boot.boot(settings, entities).close();
    } catch (RuntimeException e) {
      thrown = e;
    }
    assertThat(thrown).as("boot must fail").isNotNull();
    StringBuilder messages = new StringBuilder();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    return messages.toString();
  }

  @Test
  void aNonIntegralAttributeIsRefusedNamingItsTypeAndWhatIsAllowed(TestDatabase db) {
    assertThat(bootFailure(Boot.localSettings(db), TextCounter.class))
        .contains("TextCounter.title")
        .contains("String")
        .contains("allowed: int, long, short, Integer, Long or Short");
    assertThat(bootFailure(Boot.localSettings(db), DecimalCounter.class))
        .contains("DecimalCounter.score")
        .contains("Double")
        .contains("allowed");
  }

  @Test
  void theIdAndTheVersionAreRefused(TestDatabase db) {
    assertThat(bootFailure(Boot.localSettings(db), IdCounter.class))
        .contains("IdCounter.id")
        .contains("@Id")
        .contains("allowed");
    assertThat(bootFailure(Boot.localSettings(db), VersionCounter.class))
        .contains("VersionCounter.version")
        .contains("@Version")
        .contains("allowed");
  }

  @Test
  void anEmbeddableIsNotAnEntity(TestDatabase db) {
    assertThat(bootFailure(Boot.localSettings(db), EmbeddedCounter.class))
        .contains("Stats.hits")
        .contains("not an entity")
        .contains("allowed");
  }

  @Test
  void aCompositeIdIsRefusedAtBoot(TestDatabase db) {
    assertThat(bootFailure(Boot.localSettings(db), CompositeCounter.class))
        .contains("CompositeCounter.hits")
        .contains("composite id")
        .contains("allowed");
    assertThat(bootFailure(Boot.localSettings(db), IdClassCounter.class))
        .contains("IdClassCounter.hits")
        .contains("composite id")
        .contains("allowed");
  }

  @Test
  void malformedSettingsNameTheSettingAndTheValue(TestDatabase db) {
    Map<String, Object> bareNumber = Boot.localSettings(db);
    bareNumber.put(BufferSettings.FLUSH_INTERVAL, "5");
    assertThat(bootFailure(bareNumber, Post.class))
        .contains(BufferSettings.FLUSH_INTERVAL)
        .contains("'5'")
        .contains("unit");

    Map<String, Object> unknownStore = Boot.localSettings(db);
    unknownStore.put(BufferSettings.STORE, "memcached");
    assertThat(bootFailure(unknownStore, Post.class))
        .contains(BufferSettings.STORE)
        .contains("'memcached'")
        .contains("local redis");

    Map<String, Object> partitions = Boot.localSettings(db);
    partitions.put(BufferSettings.PARTITIONS, "0");
    assertThat(bootFailure(partitions, Post.class))
        .contains(BufferSettings.PARTITIONS)
        .contains("'0'");

    Map<String, Object> pushTimeout = Boot.localSettings(db);
    pushTimeout.put(BufferSettings.PUSH_TIMEOUT, "250");
    assertThat(bootFailure(pushTimeout, Post.class))
        .contains(BufferSettings.PUSH_TIMEOUT)
        .contains("'250'")
        .contains("unit");

    Map<String, Object> queue = Boot.localSettings(db);
    queue.put(BufferSettings.MAX_QUEUED_DELTAS, "-1");
    assertThat(bootFailure(queue, Post.class))
        .contains(BufferSettings.MAX_QUEUED_DELTAS)
        .contains("'-1'");

    Map<String, Object> replicas = Boot.localSettings(db);
    replicas.put(BufferSettings.WAIT_REPLICAS, "one");
    assertThat(bootFailure(replicas, Post.class))
        .contains(BufferSettings.WAIT_REPLICAS)
        .contains("'one'")
        .contains("from 0");

    Map<String, Object> typo = Boot.localSettings(db);
    typo.put("hibernate.coalesce.buffer.flush_intervall", "5s");
    assertThat(bootFailure(typo, Post.class))
        .contains("Unknown setting hibernate.coalesce.buffer.flush_intervall")
        .contains("did you mean " + BufferSettings.FLUSH_INTERVAL + "?");

    Map<String, Object> otherModule = Boot.localSettings(db);
    otherModule.put("hibernate.coalesce.cache.ttl", "1h");
    assertThat(bootFailure(otherModule, Post.class))
        .contains("hibernate.coalesce.cache.ttl belongs to hibernate-cache-multiget")
        .contains("not on the class path");

    Map<String, Object> redisWithoutAddress = Boot.localSettings(db);
    redisWithoutAddress.put(BufferSettings.STORE, "redis");
    assertThat(bootFailure(redisWithoutAddress, Post.class))
        .contains(BufferSettings.STORE)
        .contains(BufferSettings.REDIS_ADDRESS);
  }

  @Test
  void anUnreachableRedisFailsTheBoot(TestDatabase db, @TempDir Path dir) throws IOException {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    // a Redisson YAML with short timeouts and no retries: Redisson's defaults take ~7 s to give up
    Path yaml = dir.resolve("unreachable-redis.yaml");
    Files.writeString(
        yaml,
        "singleServerConfig:\n"
            + "  address: \"redis://127.0.0.1:"
            + freePort
            + "\"\n"
            + "  connectTimeout: 200\n"
            + "  retryAttempts: 0\n");
    Map<String, Object> settings = Boot.localSettings(db);
    settings.put(BufferSettings.REDIS_CONFIG, yaml.toString());
    assertThat(bootFailure(settings, Post.class))
        .contains(BufferSettings.REDIS_CONFIG)
        .contains(yaml.toString())
        .contains("127.0.0.1:" + freePort);
  }

  @Test
  void incrementOfAnUnknownEntityOrAttributeNamesIt(TestDatabase db, TestRedis redis) {
    EntityManagerFactory factory = Boot.boot(Boot.redisSettings(db, redis), Post.class);
    EntityManager em = factory.createEntityManager();
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      assertThatThrownBy(() -> buffer.increment(em, String.class, 1L, "views", 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("java.lang.String is not an entity");
      assertThatThrownBy(() -> buffer.increment(em, Post.class, 1L, "nope", 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Post.nope")
          .hasMessageContaining("[views, likes]");
      assertThatThrownBy(() -> buffer.increment(em, Post.class, 1L, "title", 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Post.title is not a @BufferedCounter");
      assertThatThrownBy(() -> buffer.increment(em, Post.class, "1", "views", 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("java.lang.Long");
      assertThatThrownBy(() -> buffer.pending(Post.class, 1L, "title"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Post.title");
      assertThat(buffer.stats().incrementsAccepted()).isZero();
    } finally {
      em.close();
      factory.close();
    }
  }

  @Test
  void aTablePerClassHierarchyIsRefusedAtBoot(TestDatabase db) {
    // its rows live in one table per concrete class; the flush updates one table per hierarchy
    assertThat(bootFailure(Boot.localSettings(db), Listing.class, Flat.class))
        .contains("Listing.views")
        .contains("TABLE_PER_CLASS")
        .contains("allowed: SINGLE_TABLE or JOINED inheritance, or none");
  }

  @Test
  void multiTenancyIsRefusedAtBootNamingTheSettings(TestDatabase db) {
    assertThat(bootFailure(Boot.localSettings(db), TenantCounter.class))
        .contains("TenantCounter.views")
        .contains("multi-tenant")
        .contains("hibernate.multi_tenant_connection_provider")
        .contains("@TenantId")
        .contains("allowed: @BufferedCounter in a factory without multi-tenancy");
  }
}
