package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The round-trip table, counted on the wire by a proxy in front of a redis-server of this
 * test's own, and SQL counted by Hibernate's statistics. Prints the measured figures.
 */
@RealServices
class RoundTripTest {

  static final int N = 100;
  static Wire wire;
  static SessionFactory factory;
  static final List<Long> IDS = LongStream.rangeClosed(1, N).boxed().toList();

  @BeforeAll
  static void boot(TestDatabase db) {
    wire = Wire.start();
    factory =
        Boot.factory(
            db,
            Map.of(
                "hibernate.coalesce.redis.address",
                wire.address(),
                "hibernate.coalesce.namespace",
                "rt"),
            Post.class,
            Author.class,
            Note.class);
    inTransaction(
        session -> {
          for (long id : IDS) {
            Author author = new Author(id, "author " + id);
            session.persist(author);
            Post post = new Post(id, "post " + id);
            post.author = author;
            post.tags.add("t" + id);
            post.tags.add("all");
            session.persist(post);
            session.persist(new Note(id, "note " + id));
          }
        });
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
    if (wire != null) {
      wire.close();
    }
  }

  static void inTransaction(Consumer<Session> work) {
    factory.inTransaction(work);
  }

  static Statistics stats() {
    return Boot.settled(factory);
  }

  static Wire.Measured measure(String row, Runnable action) {
    return wire.measure(factory, row, action);
  }

  static void evictAll() {
    factory.getCache().evictAllRegions();
  }

  static void warm(List<Long> ids) {
    inTransaction(session -> session.findMultiple(Post.class, ids));
  }

  static List<Post> findAll(Session session) {
    List<Post> posts = session.findMultiple(Post.class, IDS);
    assertThat(posts).hasSize(N).doesNotContainNull();
    for (int i = 0; i < N; i++) {
      assertThat(posts.get(i).getTitle()).isEqualTo("post " + IDS.get(i));
    }
    return posts;
  }

  @Test
  void allCachedIsOneMultiGetAndNoSql() {
    evictAll();
    warm(IDS);
    Wire.Measured m =
        measure("findMultiple, 100 ids, all cached", () -> inTransaction(RoundTripTest::findAll));
    assertThat(m.roundTrips()).isEqualTo(1);
    assertThat(m.commands()).isEqualTo(1);
    assertThat(m.trips().get(0).commands()).containsExactly("MGET");
    assertThat(m.sql()).isZero();
    assertThat(stats().getSecondLevelCacheHitCount()).isEqualTo(N);
    assertThat(stats().getSecondLevelCacheMissCount()).isZero();
    var region = stats().getDomainDataRegionStatistics(Post.class.getName());
    assertThat(region.getHitCount()).isEqualTo(N);
    assertThat(region.getMissCount()).isZero();
    assertThat(stats().getEntityStatistics(Post.class.getName()).getCacheHitCount()).isEqualTo(N);
  }

  @Test
  void noneCachedIsOneMultiGetOneQueryAndOnePipelinedWriteBack() {
    evictAll();
    Wire.Measured m =
        measure("findMultiple, 100 ids, none cached", () -> inTransaction(RoundTripTest::findAll));
    // the multi-get, then the 100 put-from-loads as one script call
    assertThat(m.trips())
        .extracting(CountingRedisProxy.RoundTrip::commands)
        .containsExactly(List.of("MGET"), List.of("EVALSHA"));
    assertThat(m.sql()).isEqualTo(1);
    assertThat(stats().getSecondLevelCacheMissCount()).isEqualTo(N);
    assertThat(stats().getSecondLevelCachePutCount()).isEqualTo(N);
    var region = stats().getDomainDataRegionStatistics(Post.class.getName());
    assertThat(region.getMissCount()).isEqualTo(N);
    assertThat(region.getPutCount()).isEqualTo(N);
    assertThat(m.trips()).noneMatch(trip -> trip.commands().equals(List.of("GET")));

    Wire.Measured after =
        measure(
            "findMultiple, 100 ids, after the write-back",
            () -> inTransaction(RoundTripTest::findAll));
    assertThat(after.sql()).isZero();
    assertThat(after.roundTrips()).isEqualTo(1);
  }

  @Test
  void halfCachedQueriesOnlyTheMisses() {
    evictAll();
    warm(IDS.stream().filter(id -> id % 2 == 0).toList());
    Wire.Measured m =
        measure("findMultiple, 100 ids, half cached", () -> inTransaction(RoundTripTest::findAll));
    assertThat(m.roundTrips()).isLessThanOrEqualTo(3);
    assertThat(m.sql()).isEqualTo(1);
    assertThat(stats().getSecondLevelCacheHitCount()).isEqualTo(N / 2);
    assertThat(stats().getSecondLevelCacheMissCount()).isEqualTo(N / 2);
    assertThat(stats().getSecondLevelCachePutCount()).isEqualTo(N / 2);
  }

  // byMultipleIds is deprecated for removal (findMultiple replaces it), and applications still call
  // it: the test covers it until Hibernate removes it
  @SuppressWarnings("removal")
  @Test
  void otherMultiLoadApisAreOneMultiGetWhenCached() {
    evictAll();
    warm(IDS);
    Wire.Measured multiLoad =
        measure(
            "byMultipleIds().multiLoad, 100 ids, all cached",
            () ->
                inTransaction(
                    session ->
                        assertThat(session.byMultipleIds(Post.class).multiLoad(IDS))
                            .hasSize(N)
                            .doesNotContainNull()));
    assertThat(multiLoad.roundTrips()).isEqualTo(1);
    assertThat(multiLoad.sql()).isZero();

    Wire.Measured stateless =
        measure(
            "StatelessSession.getMultiple, 100 ids, all cached",
            () ->
                factory.inStatelessTransaction(
                    session ->
                        assertThat(session.getMultiple(Post.class, IDS))
                            .hasSize(N)
                            .doesNotContainNull()));
    assertThat(stateless.roundTrips()).isEqualTo(1);
    assertThat(stateless.sql()).isZero();

    Wire.Measured byIds =
        measure(
            "MultiGet.byIds, 100 ids, all cached",
            () ->
                inTransaction(
                    session -> {
                      List<Object> wanted = new ArrayList<>(IDS);
                      wanted.add(10_000L);
                      Map<Object, Post> found = MultiGet.byIds(session, Post.class, wanted);
                      assertThat(found.keySet()).containsExactlyElementsOf(IDS);
                    }));
    // the absent id is a miss: the cached 100 cost one multi-get, the absent one one query
    assertThat(byIds.roundTrips()).isLessThanOrEqualTo(2);
    assertThat(byIds.sql()).isEqualTo(1);
  }

  @Test
  void nonStrictReadWriteWritesBackWithAddIfAbsentInOnePipeline() {
    evictAll();
    Wire.Measured cold =
        measure(
            "findMultiple, 100 ids, NONSTRICT_READ_WRITE, none cached",
            () ->
                inTransaction(
                    session ->
                        assertThat(session.findMultiple(Note.class, IDS))
                            .hasSize(N)
                            .doesNotContainNull()));
    // the multi-get, then the 100 add-if-absent write-backs as one script call
    assertThat(cold.trips())
        .extracting(CountingRedisProxy.RoundTrip::commands)
        .containsExactly(List.of("MGET"), List.of("EVALSHA"));
    assertThat(cold.sql()).isEqualTo(1);
    assertThat(stats().getSecondLevelCachePutCount()).isEqualTo(N);

    Wire.Measured warm =
        measure(
            "findMultiple, 100 ids, NONSTRICT_READ_WRITE, all cached",
            () ->
                inTransaction(
                    session ->
                        assertThat(session.findMultiple(Note.class, IDS))
                            .hasSize(N)
                            .doesNotContainNull()));
    assertThat(warm.roundTrips()).isEqualTo(1);
    assertThat(warm.sql()).isZero();
    assertThat(stats().getSecondLevelCacheHitCount()).isEqualTo(N);
  }

  @Test
  void lazyProxiesAreBatchFetchedWithOneMultiGet() {
    evictAll();
    warm(IDS);
    int batches = (N + 15) / 16;
    Wire.Measured cold =
        measure(
            "lazy to-one proxies, batch size 16, none cached",
            () ->
                inTransaction(
                    session -> {
                      for (Post post : findAll(session)) {
                        assertThat(post.getAuthor().getName()).isEqualTo("author " + post.getId());
                      }
                    }));
    // one MGET for the posts, one for every queued author, then per batch one query and one
    // pipelined write-back
    assertThat(cold.sql()).isEqualTo(batches);
    assertThat(cold.trips()).noneMatch(trip -> trip.commands().equals(List.of("GET")));
    assertThat(cold.roundTrips()).isLessThanOrEqualTo(2 + batches + 1);

    Wire.Measured warm =
        measure(
            "lazy to-one proxies, batch size 16, all cached",
            () ->
                inTransaction(
                    session -> {
                      for (Post post : findAll(session)) {
                        assertThat(post.getAuthor().getName()).isEqualTo("author " + post.getId());
                      }
                    }));
    assertThat(warm.sql()).isZero();
    assertThat(warm.roundTrips()).isEqualTo(2);
    assertThat(warm.commands()).isEqualTo(2);
  }

  @Test
  void collectionsAreBatchFetchedWithOneMultiGet() {
    evictAll();
    warm(IDS);
    int batches = (N + 15) / 16;
    Wire.Measured cold =
        measure(
            "collections, batch size 16, none cached",
            () ->
                inTransaction(
                    session -> {
                      for (Post post : findAll(session)) {
                        assertThat(post.getTags())
                            .containsExactlyInAnyOrder("all", "t" + post.getId());
                      }
                    }));
    assertThat(cold.sql()).isEqualTo(batches);
    assertThat(cold.trips()).noneMatch(trip -> trip.commands().equals(List.of("GET")));
    assertThat(cold.roundTrips()).isLessThanOrEqualTo(2 + batches + 1);

    Wire.Measured warm =
        measure(
            "collections, batch size 16, all cached",
            () ->
                inTransaction(
                    session -> {
                      for (Post post : findAll(session)) {
                        assertThat(post.getTags()).hasSize(2);
                      }
                    }));
    assertThat(warm.sql()).isZero();
    assertThat(warm.roundTrips()).isEqualTo(2);
  }

  @Test
  void aTransactionThatTouchesNoCachedDataSendsNothing() {
    Wire.Measured m =
        measure(
            "a transaction that touches no cached data",
            () ->
                inTransaction(
                    session ->
                        assertThat(
                                session
                                    .createNativeQuery("select 1", Integer.class)
                                    .getSingleResult())
                            .isEqualTo(1)));
    assertThat(m.roundTrips()).isZero();
    assertThat(m.commands()).isZero();
  }
}
