package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.List;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hibernate features the cache must keep right, on Redis: a TABLE_PER_CLASS hierarchy, ids whose
 * classes are not Serializable ({@code @EmbeddedId}, {@code @IdClass}), and StatelessSession reads
 * and writes. Each: cached reads cost no SQL and every write is seen by the next read.
 */
@RealServices
class HibernateFeaturesTest {

  static SessionFactory factory;

  static TestRedis store;

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    store = redis;
    factory =
        Boot.factory(
            db,
            redis.hibernateProperties(),
            Vehicle.class,
            Car.class,
            Truck.class,
            Shelf.class,
            Slot.class,
            Author.class);
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
  }

  static <T> T inTransaction(Function<Session, T> work, long expectedSql) {
    return SqlCount.inTransaction(factory, work, expectedSql);
  }

  static <T> T inTransaction(Function<Session, T> work) {
    return factory.fromTransaction(work);
  }

  @Test
  void aTablePerClassHierarchyIsReadFromTheCacheAndItsUpdatesAreSeen() {
    List<Long> ids = LongStream.rangeClosed(1, 20).boxed().toList();
    inTransaction(
        session -> {
          for (long id = 1; id <= 10; id++) {
            session.persist(new Car(id, "car " + id, 4));
            session.persist(new Truck(id + 10, "truck " + (id + 10), 3));
          }
          return null;
        });
    factory.getCache().evictAllRegions();
    Boot.pastStoreTime(factory, store); // the loads below start after the clear: cached
    inTransaction(session -> session.findMultiple(Vehicle.class, ids));

    List<Vehicle> cached = inTransaction(session -> session.findMultiple(Vehicle.class, ids), 0);
    assertThat(cached).hasSize(20);
    assertThat(cached.subList(0, 10)).allMatch(Car.class::isInstance);
    assertThat(cached.subList(10, 20)).allMatch(Truck.class::isInstance);
    assertThat(((Truck) cached.get(12)).axles).isEqualTo(3);
    assertThat(inTransaction(session -> session.find(Car.class, 3L), 0).name).isEqualTo("car 3");

    inTransaction(session -> session.find(Car.class, 3L).name = "renamed");
    inTransaction(session -> session.find(Truck.class, 14L).axles = 5);
    List<Vehicle> after = inTransaction(session -> session.findMultiple(Vehicle.class, ids));
    assertThat(after.get(2).name).isEqualTo("renamed");
    assertThat(((Truck) after.get(13)).axles).isEqualTo(5);

    inTransaction(session -> session.findMultiple(Vehicle.class, ids));
    assertThat(inTransaction(session -> session.find(Vehicle.class, 3L), 0).name)
        .isEqualTo("renamed");
  }

  @Test
  void anEmbeddedIdThatIsNotSerializableIsCachedAndItsWritesAreSeen() {
    List<Shelf.Place> places =
        List.of(new Shelf.Place("A", 1), new Shelf.Place("A", 2), new Shelf.Place("B", 1));
    inTransaction(
        session -> {
          for (Shelf.Place place : places) {
            session.persist(new Shelf(place, "shelf " + place.aisle + place.position));
          }
          return null;
        });
    inTransaction(session -> session.findMultiple(Shelf.class, places));

    List<Shelf> cached = inTransaction(session -> session.findMultiple(Shelf.class, places), 0);
    assertThat(cached)
        .extracting(shelf -> shelf.label)
        .containsExactly("shelf A1", "shelf A2", "shelf B1");

    inTransaction(session -> session.find(Shelf.class, new Shelf.Place("A", 2)).label = "moved");
    assertThat(inTransaction(session -> session.find(Shelf.class, new Shelf.Place("A", 2))).label)
        .isEqualTo("moved");
    inTransaction(
        session -> {
          session.remove(session.find(Shelf.class, new Shelf.Place("B", 1)));
          return null;
        });
    Shelf removed = inTransaction(session -> session.find(Shelf.class, new Shelf.Place("B", 1)));
    assertThat(removed).isNull();
  }

  @Test
  void anIdClassThatIsNotSerializableIsCachedAndItsWritesAreSeen() {
    List<Slot.Key> keys = List.of(new Slot.Key("r", 1), new Slot.Key("r", 2));
    inTransaction(
        session -> {
          session.persist(new Slot("r", 1, "bolts"));
          session.persist(new Slot("r", 2, "nuts"));
          return null;
        });
    inTransaction(session -> session.findMultiple(Slot.class, keys));

    List<Slot> cached = inTransaction(session -> session.findMultiple(Slot.class, keys), 0);
    assertThat(cached).extracting(slot -> slot.content).containsExactly("bolts", "nuts");

    inTransaction(session -> session.find(Slot.class, new Slot.Key("r", 1)).content = "screws");
    assertThat(inTransaction(session -> session.find(Slot.class, new Slot.Key("r", 1))).content)
        .isEqualTo("screws");
  }

  @Test
  void statelessSessionReadsFromTheCacheAndItsWritesAreSeenThroughIt() {
    factory.inStatelessTransaction(
        session -> {
          session.insert(new Author(1000L, "inserted"));
          session.insert(new Author(1001L, "second"));
        });
    assertThat(inTransaction(session -> session.find(Author.class, 1000L)).getName())
        .isEqualTo("inserted");
    inTransaction(session -> session.findMultiple(Author.class, List.of(1000L, 1001L)));

    long before = factory.getStatistics().getPrepareStatementCount();
    Author got = factory.fromStatelessTransaction(session -> session.get(Author.class, 1000L));
    List<Author> both =
        factory.fromStatelessTransaction(
            session -> session.getMultiple(Author.class, List.of(1000L, 1001L)));
    assertThat(factory.getStatistics().getPrepareStatementCount() - before)
        .as("SQL statements of stateless reads of cached entities")
        .isZero();
    assertThat(got.getName()).isEqualTo("inserted");
    assertThat(both).extracting(Author::getName).containsExactly("inserted", "second");

    factory.inStatelessTransaction(
        session -> {
          Author author = session.get(Author.class, 1000L);
          author.name = "updated";
          session.update(author);
        });
    assertThat(inTransaction(session -> session.find(Author.class, 1000L)).getName())
        .isEqualTo("updated");
    assertThat(factory.fromStatelessTransaction(s -> s.get(Author.class, 1000L)).getName())
        .isEqualTo("updated");

    factory.inStatelessTransaction(session -> session.delete(session.get(Author.class, 1001L)));
    Author deleted = inTransaction(session -> session.find(Author.class, 1001L));
    assertThat(deleted).isNull();
    Author deletedStateless = factory.fromStatelessTransaction(s -> s.get(Author.class, 1001L));
    assertThat(deletedStateless).isNull();
  }
}
