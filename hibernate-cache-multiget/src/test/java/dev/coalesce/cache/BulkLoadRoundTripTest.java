package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.hibernate.KeyType;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The entities behind a cached query's result and a natural-id multi-load are read with one
 * multi-get, counted on the wire (see {@link RoundTripTest}); prints the measured figures.
 *
 * <p>A cached query holds its entities' ids only with the shallow layout ({@code
 * hibernate.cache.query_cache_layout=SHALLOW}); with Hibernate's default (full) layout it holds
 * their state and reads no entity entry at all, which a second factory on the same schema checks.
 */
@RealServices
class BulkLoadRoundTripTest {

  static final int N = 100;
  static final List<Long> IDS = LongStream.rangeClosed(1, N).boxed().toList();
  static final List<String> EMAILS = IDS.stream().map(id -> "user" + id + "@example.com").toList();
  static Wire wire;
  static SessionFactory factory;
  static SessionFactory fullLayout;

  @BeforeAll
  static void boot(TestDatabase db) {
    wire = Wire.start();
    factory = boot(db, "bulk", Map.of("hibernate.cache.query_cache_layout", "SHALLOW"));
    factory.inTransaction(
        session -> {
          for (long id : IDS) {
            Author author = new Author(id, "author " + id);
            session.persist(author);
            Post post = new Post(id, "post " + id);
            post.author = author;
            session.persist(post);
            session.persist(new Account(id, EMAILS.get((int) id - 1), "name " + id));
          }
        });
    fullLayout = boot(db, "bulk-full", Map.of("hibernate.hbm2ddl.auto", "none"));
  }

  static SessionFactory boot(TestDatabase db, String namespace, Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>(extra);
    settings.put("hibernate.coalesce.redis.address", wire.address());
    settings.put("hibernate.coalesce.namespace", namespace);
    settings.put("hibernate.cache.use_query_cache", "true");
    return Boot.factory(db, settings, Post.class, Author.class, Account.class);
  }

  @AfterAll
  static void close() {
    if (fullLayout != null) {
      fullLayout.close();
    }
    if (factory != null) {
      factory.close();
    }
    if (wire != null) {
      wire.close();
    }
  }

  static Wire.Measured measure(String row, Runnable action) {
    return wire.measure(factory, row, action);
  }

  static List<Post> cachedPosts(Session session) {
    return session
        .createSelectionQuery("from Post p where p.id <= :n order by p.id", Post.class)
        .setParameter("n", (long) N)
        .setCacheable(true)
        .getResultList();
  }

  static List<Object[]> cachedPostsWithAuthors(Session session) {
    return session
        .createSelectionQuery(
            "select p, a from Post p join p.author a where p.id <= :n order by p.id",
            Object[].class)
        .setParameter("n", (long) N)
        .setCacheable(true)
        .getResultList();
  }

  static List<Account> accounts(Session session, List<String> emails) {
    return session.findMultiple(Account.class, emails, KeyType.NATURAL);
  }

  static long count(Wire.Measured m, String command) {
    return m.trips().stream()
        .map(CountingRedisProxy.RoundTrip::commands)
        .flatMap(List::stream)
        .filter(command::equals)
        .count();
  }

  @Test
  void theEntitiesOfACachedQueryResultAreReadWithOneMultiGet() {
    factory.getCache().evictAllRegions();
    factory.inTransaction(BulkLoadRoundTripTest::cachedPosts);
    factory.inTransaction(session -> session.findMultiple(Post.class, IDS));

    Wire.Measured m =
        measure(
            "cached query, 100 entities, all cached",
            () ->
                factory.inTransaction(
                    session -> {
                      List<Post> posts = cachedPosts(session);
                      assertThat(posts).extracting(Post::getId).containsExactlyElementsOf(IDS);
                      assertThat(posts.get(41).getTitle()).isEqualTo("post 42");
                    }));
    assertThat(factory.getStatistics().getQueryCacheHitCount()).isOne();
    assertThat(m.sql()).isZero();
    assertThat(factory.getStatistics().getSecondLevelCacheHitCount()).isEqualTo(N);
    // the query's entry (an MGET with its region's clear key) and its table's update timestamp,
    // then one multi-get for the 100 posts
    assertThat(count(m, "MGET")).isEqualTo(2);
    assertThat(count(m, "GET")).isOne();
    assertThat(m.roundTrips()).isEqualTo(3);
  }

  @Test
  void withTheDefaultFullLayoutACachedQueryReadsNoEntityEntry() {
    fullLayout.inTransaction(BulkLoadRoundTripTest::cachedPosts);
    Wire.Measured m =
        wire.measure(
            fullLayout,
            "cached query, 100 entities, default (full) layout",
            () ->
                fullLayout.inTransaction(
                    session -> assertThat(cachedPosts(session)).hasSize(N).doesNotContainNull()));
    assertThat(fullLayout.getStatistics().getQueryCacheHitCount()).isOne();
    assertThat(m.sql()).isZero();
    // the query's entry (with its region's clear key) and its table's update timestamp: the
    // entities' state is in the entry
    assertThat(m.roundTrips()).isEqualTo(2);
    assertThat(count(m, "MGET")).isOne();
    assertThat(count(m, "GET")).isOne();
  }

  @Test
  void aCachedQueryOfTwoEntitiesPerRowReadsEachEntityWithOneMultiGet() {
    factory.getCache().evictAllRegions();
    factory.inTransaction(BulkLoadRoundTripTest::cachedPostsWithAuthors);
    factory.inTransaction(
        session -> {
          session.findMultiple(Post.class, IDS);
          session.findMultiple(Author.class, IDS);
        });

    Wire.Measured m =
        measure(
            "cached query, 100 rows of (post, author), all cached",
            () ->
                factory.inTransaction(
                    session -> {
                      List<Object[]> rows = cachedPostsWithAuthors(session);
                      assertThat(rows).hasSize(N);
                      for (Object[] row : rows) {
                        Post post = (Post) row[0];
                        assertThat(((Author) row[1]).getName()).isEqualTo("author " + post.getId());
                      }
                    }));
    assertThat(m.sql()).isZero();
    // the query's entry (with its region's clear key) and the update timestamps of its two
    // tables, then one multi-get per entity
    assertThat(count(m, "MGET")).isEqualTo(3);
    assertThat(count(m, "GET")).isEqualTo(2);
    assertThat(m.roundTrips()).isEqualTo(5);
  }

  @Test
  void aNaturalIdMultiLoadOfCachedEntitiesIsTwoMultiGetsAndNoSql() {
    factory.getCache().evictAllRegions();
    factory.inTransaction(session -> accounts(session, EMAILS));

    Wire.Measured m =
        measure(
            "byMultipleNaturalId().multiLoad, 100 natural ids, all cached",
            () ->
                factory.inTransaction(
                    session -> {
                      List<Account> found = accounts(session, EMAILS);
                      assertThat(found).extracting(a -> a.email).containsExactlyElementsOf(EMAILS);
                      assertThat(found.get(6).name).isEqualTo("name 7");
                    }));
    assertThat(m.sql()).isZero();
    assertThat(factory.getStatistics().getNaturalIdCacheHitCount()).isEqualTo(N);
    assertThat(factory.getStatistics().getSecondLevelCacheHitCount()).isEqualTo(N);
    // natural ids to ids, then ids to entities
    assertThat(m.roundTrips()).isEqualTo(2);
    assertThat(count(m, "MGET")).isEqualTo(2);
  }

  @Test
  void aNaturalIdMultiLoadOfUncachedEntitiesIsOneQueryAndCachesThem() {
    factory.getCache().evictAllRegions();
    List<String> wanted = new ArrayList<>(EMAILS);
    wanted.add("nobody@example.com");

    Wire.Measured cold =
        measure(
            "byMultipleNaturalId().multiLoad, 100 natural ids, none cached",
            () ->
                factory.inTransaction(
                    session -> {
                      List<Account> found = accounts(session, wanted);
                      assertThat(found).hasSize(N + 1);
                      assertThat(found.get(N)).isNull();
                      assertThat(found.get(0).email).isEqualTo(EMAILS.get(0));
                    }));
    assertThat(cold.sql()).isOne();
    assertThat(count(cold, "GET")).isZero();
    // one multi-get of the natural ids, one pipeline writing back entities and natural ids (and a
    // SCRIPT LOAD if this is the server's first write-back)
    assertThat(cold.roundTrips()).isLessThanOrEqualTo(3);

    Wire.Measured warm =
        measure(
            "byMultipleNaturalId().multiLoad, after the write-back",
            () ->
                factory.inTransaction(session -> assertThat(accounts(session, EMAILS)).hasSize(N)));
    assertThat(warm.sql()).isZero();
    assertThat(warm.roundTrips()).isEqualTo(2);
  }
}
