package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Inheritance;
import jakarta.persistence.InheritanceType;
import jakarta.persistence.PrimaryKeyJoinColumn;
import jakarta.persistence.Table;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Issue item 8: id types and inheritance strategies. */
@RealServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdTypesAndInheritanceTest {

  @Entity(name = "IntKeyed")
  @Table(name = "int_keyed")
  public static class IntKeyed {
    @Id Integer id;
    @BufferedCounter short hits;
  }

  @Entity(name = "StringKeyed")
  @Table(name = "string_keyed")
  public static class StringKeyed {
    @Id String id;
    @BufferedCounter Long hits;
  }

  @Entity(name = "UuidKeyed")
  @Table(name = "uuid_keyed")
  public static class UuidKeyed {
    @Id UUID id;
    @BufferedCounter int hits;
  }

  /** Single table: both counters in one table. */
  @Entity(name = "Content")
  @Table(name = "content")
  @Inheritance(strategy = InheritanceType.SINGLE_TABLE)
  public static class Content {
    @Id Long id;
    @BufferedCounter long views;
  }

  @Entity(name = "Article")
  public static class Article extends Content {
    @BufferedCounter long shares;
  }

  /** Joined: the subclass counter lives in the subclass table, keyed by its own column. */
  @Entity(name = "Vehicle")
  @Table(name = "vehicle")
  @Inheritance(strategy = InheritanceType.JOINED)
  public static class Vehicle {
    @Id Long id;
    @BufferedCounter long trips;
  }

  @Entity(name = "Truck")
  @Table(name = "truck")
  @PrimaryKeyJoinColumn(name = "vehicle_ref")
  public static class Truck extends Vehicle {
    @BufferedCounter long loads;
  }

  private final TestDatabase db;
  private jakarta.persistence.EntityManagerFactory factory;
  private CounterBuffer buffer;

  IdTypesAndInheritanceTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeAll
  void boot(TestRedis redis) {
    factory =
        Boot.boot(
            Boot.redisSettings(db, redis),
            IntKeyed.class,
            StringKeyed.class,
            UuidKeyed.class,
            Content.class,
            Article.class,
            Vehicle.class,
            Truck.class);
    buffer = CounterBuffer.of(factory);
  }

  @AfterAll
  void close() {
    factory.close();
  }

  @Test
  void integerStringAndUuidIds() {
    UUID uuid = UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
    String key = "a|b c"; // the separator of our store keys inside an id
    inTx(
        factory,
        em -> {
          IntKeyed i = new IntKeyed();
          i.id = 7;
          em.persist(i);
          StringKeyed s = new StringKeyed();
          s.id = key;
          em.persist(s);
          UuidKeyed u = new UuidKeyed();
          u.id = uuid;
          em.persist(u);
        });
    inTx(
        factory,
        em -> {
          em.find(IntKeyed.class, 7).hits += 3;
          StringKeyed s = em.find(StringKeyed.class, key);
          s.hits = 5L; // from null
          em.find(UuidKeyed.class, uuid).hits += 4;
          buffer.increment(em, IntKeyed.class, 7, "hits", 1);
          buffer.increment(em, StringKeyed.class, key, "hits", 1);
          buffer.increment(em, UuidKeyed.class, uuid, "hits", 1);
        });
    assertThat(buffer.pending(StringKeyed.class, key, "hits")).isEqualTo(6);
    buffer.flush();
    assertThat(queryLong(db, "select hits from int_keyed where id = 7")).isEqualTo(4);
    assertThat(queryLong(db, "select hits from string_keyed where id = 'a|b c'")).isEqualTo(6);
    assertThat(queryLong(db, "select hits from uuid_keyed where id = '" + uuid + "'")).isEqualTo(5);
  }

  @Test
  void singleTableInheritanceUpdatesTheRowOnce() {
    inTx(
        factory,
        em -> {
          Article article = new Article();
          article.id = 1L;
          em.persist(article);
        });
    Boot.countRowUpdates(db, "content");
    inTx(
        factory,
        em -> {
          Article article = em.find(Article.class, 1L);
          article.views += 2;
          article.shares += 3;
          buffer.increment(em, Content.class, 1L, "views", 1);
        });
    buffer.flush();
    assertThat(queryLong(db, "select views from content where id = 1")).isEqualTo(3);
    assertThat(queryLong(db, "select shares from content where id = 1")).isEqualTo(3);
    assertThat(queryLong(db, "select n from content_updates")).isEqualTo(1);
  }

  @Test
  void joinedInheritanceUpdatesEachCounterInItsOwnTable() {
    inTx(
        factory,
        em -> {
          Truck truck = new Truck();
          truck.id = 9L;
          em.persist(truck);
          Vehicle car = new Vehicle();
          car.id = 10L;
          em.persist(car);
        });
    inTx(
        factory,
        em -> {
          Truck truck = em.find(Truck.class, 9L);
          truck.trips += 2;
          truck.loads += 5;
          em.find(Vehicle.class, 10L).trips += 1;
          buffer.increment(em, Truck.class, 9L, "loads", 1);
        });
    buffer.flush();
    assertThat(queryLong(db, "select trips from vehicle where id = 9")).isEqualTo(2);
    assertThat(queryLong(db, "select loads from truck where vehicle_ref = 9")).isEqualTo(6);
    assertThat(queryLong(db, "select trips from vehicle where id = 10")).isEqualTo(1);
  }
}
