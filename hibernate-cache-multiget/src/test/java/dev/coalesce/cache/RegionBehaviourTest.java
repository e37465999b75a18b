package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.KeyType;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Access types, region kinds, the entry encoding, TTLs and settings, on real Redis. */
@RealServices
class RegionBehaviourTest {

  static SessionFactory factory;
  static TestRedis redis;
  static TestDatabase db;

  @BeforeAll
  static void boot(TestDatabase database, TestRedis testRedis) {
    db = database;
    redis = testRedis;
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put("hibernate.cache.use_query_cache", "true");
    settings.put(CacheSettings.TTL, "2h");
    settings.put(CacheSettings.regionTtl(Note.class.getName()), "10m");
    factory =
        Boot.factory(
            db, settings, Post.class, Author.class, Note.class, Country.class, Account.class);
    factory.inTransaction(
        session -> {
          for (long id = 1; id <= 5; id++) {
            session.persist(new Post(id, "post " + id));
            session.persist(new Note(id, "note " + id));
          }
          session.persist(new Country("fr", "France"));
          session.persist(new Account(1L, "ada@example.com", "Ada"));
        });
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
  }

  static Statistics stats() {
    return Boot.settled(factory);
  }

  /**
   * Entry keys containing {@code part}, once Redis has answered this node's write-backs (a load
   * does not wait for them, and this reads Redis from outside the cache); not the regions' clear
   * keys ({@code <region>:!clear}).
   */
  static List<String> keysContaining(String part) {
    Boot.settled(factory);
    return redis.keys().stream()
        .filter(key -> key.contains(part) && !key.endsWith(":!clear"))
        .toList();
  }

  @Test
  void oneKeyPerEntryWithTheRegionTtl() {
    factory.inTransaction(session -> session.findMultiple(Note.class, List.of(1L, 2L, 3L)));
    List<String> notes = keysContaining(Note.class.getName());
    assertThat(notes).hasSize(3).allMatch(key -> key.startsWith(redis.namespace() + ":c:"));
    for (String key : notes) {
      long ttl = (Long) redis.command("PTTL", key);
      assertThat(ttl).isPositive().isLessThanOrEqualTo(10 * 60 * 1000);
    }
    factory.inTransaction(session -> session.find(Post.class, 1L));
    for (String key : keysContaining(Post.class.getName() + ":")) {
      long ttl = (Long) redis.command("PTTL", key);
      assertThat(ttl).isGreaterThan(10 * 60 * 1000).isLessThanOrEqualTo(2 * 60 * 60 * 1000);
    }
  }

  @Test
  void anEntryThatCannotBeDecodedIsAMissAndIsReplaced() {
    factory.inTransaction(session -> session.find(Post.class, 4L));
    List<String> keys = keysContaining(Post.class.getName() + ":");
    String key = keys.stream().filter(k -> k.endsWith(":4")).findFirst().orElseThrow();
    // an item whose payload starts with an unknown tag, as a later format or a changed class would
    String garbage = "1I0000000000000001n00000000000000000000\u00ff\u00fe";
    redis.command("SET", key, garbage);
    stats().clear();
    String title = factory.fromTransaction(session -> session.find(Post.class, 4L).getTitle());
    assertThat(title).isEqualTo("post 4");
    assertThat(stats().getSecondLevelCacheMissCount()).isEqualTo(1);
    assertThat((String) redis.command("GET", key)).isNotEqualTo(garbage).startsWith("1I");
  }

  /**
   * An update removes the entry (an invalidation marker, which Hibernate's {@code containsEntity}
   * does not count as an entry), the next load caches the changed row, and an eviction removes it
   * again.
   */
  @Test
  void nonStrictReadWriteEvictsOnUpdate() {
    factory.inTransaction(session -> session.find(Note.class, 5L));
    Boot.settled(factory);
    assertThat(factory.getCache().containsEntity(Note.class, 5L)).as("loaded").isTrue();
    stats().clear();
    factory.inTransaction(session -> session.find(Note.class, 5L).text = "changed");
    assertThat(stats().getSecondLevelCacheHitCount()).isEqualTo(1);
    assertThat(factory.getCache().containsEntity(Note.class, 5L)).as("updated").isFalse();
    String text = factory.fromTransaction(session -> session.find(Note.class, 5L).text);
    assertThat(text).isEqualTo("changed");
    stats().clear();
    String again = factory.fromTransaction(session -> session.find(Note.class, 5L).text);
    assertThat(again).isEqualTo("changed");
    assertThat(stats().getSecondLevelCacheHitCount()).isEqualTo(1);
    assertThat(factory.getCache().containsEntity(Note.class, 5L)).as("loaded again").isTrue();
    factory.getCache().evictEntityData(Note.class, 5L);
    assertThat(factory.getCache().containsEntity(Note.class, 5L)).as("evicted").isFalse();
  }

  @Test
  void aMultiLoadAfterAnEvictionCountsThePutsItWrites() {
    List<Long> ids = List.of(1L, 2L, 3L);
    factory.inTransaction(session -> session.findMultiple(Post.class, ids));
    for (Long id : ids) {
      factory.getCache().evictEntityData(Post.class, id);
    }
    stats().clear();
    factory.inTransaction(session -> session.findMultiple(Post.class, ids));
    assertThat(stats().getSecondLevelCacheMissCount()).isEqualTo(3);
    assertThat(stats().getSecondLevelCachePutCount()).isEqualTo(3);
    // and they were written: the next load hits
    stats().clear();
    factory.inTransaction(session -> session.findMultiple(Post.class, ids));
    assertThat(stats().getSecondLevelCacheHitCount()).isEqualTo(3);
  }

  @Test
  void readOnlyAndNaturalIdRegionsHit() {
    factory.inTransaction(session -> session.find(Country.class, "fr"));
    stats().clear();
    String country = factory.fromTransaction(session -> session.find(Country.class, "fr").name);
    assertThat(country).isEqualTo("France");
    assertThat(stats().getSecondLevelCacheHitCount()).isEqualTo(1);
    assertThat(stats().getPrepareStatementCount()).isZero();

    factory.inTransaction(
        session -> session.find(Account.class, "ada@example.com", KeyType.NATURAL));
    stats().clear();
    String name =
        factory.fromTransaction(
            session -> session.find(Account.class, "ada@example.com", KeyType.NATURAL).name);
    assertThat(name).isEqualTo("Ada");
    assertThat(stats().getNaturalIdCacheHitCount()).isEqualTo(1);
    assertThat(stats().getPrepareStatementCount()).isZero();
  }

  @Test
  void queryCacheIsInvalidatedByTimestampsThatNeverExpire() {
    String hql = "select p.title from Post p where p.id <= 3 order by p.id";
    factory.inTransaction(
        session -> session.createQuery(hql, String.class).setCacheable(true).getResultList());
    stats().clear();
    List<String> cached =
        factory.fromTransaction(
            session -> session.createQuery(hql, String.class).setCacheable(true).getResultList());
    assertThat(cached).containsExactly("post 1", "post 2", "post 3");
    assertThat(stats().getQueryCacheHitCount()).isEqualTo(1);

    factory.inTransaction(session -> session.find(Post.class, 2L).setTitle("edited"));
    stats().clear();
    List<String> fresh =
        factory.fromTransaction(
            session -> session.createQuery(hql, String.class).setCacheable(true).getResultList());
    assertThat(fresh).containsExactly("post 1", "edited", "post 3");
    assertThat(stats().getQueryCacheHitCount()).isZero();

    List<String> timestamps = keysContaining("timestamps");
    assertThat(timestamps).isNotEmpty();
    for (String key : timestamps) {
      assertThat((Long) redis.command("PTTL", key)).as(key + " never expires").isEqualTo(-1L);
    }
  }

  @Test
  void multiGetByIdsKeepsTheOrderOfIdsAndLeavesAbsentOnesOut() {
    List<Object> ids = new ArrayList<>(Arrays.asList(3L, 999L, 1L, 3L, 2L));
    var found = factory.fromTransaction(session -> MultiGet.byIds(session, Post.class, ids));
    assertThat(found.keySet()).containsExactly(3L, 1L, 2L);
    assertThat(found.get(1L).getTitle()).isEqualTo("post 1");
    assertThatThrownBy(
            () ->
                factory.inTransaction(
                    session -> MultiGet.byIds(session, Post.class, Arrays.asList(1L, null))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Post")
        .hasMessageContaining("null");
  }

  @Test
  void transactionalIsRefusedAtBootWithAReason() {
    assertThatThrownBy(() -> Boot.factory(db, redis.hibernateProperties(), Ledger.class))
        .rootCause()
        .hasMessageContaining(Ledger.class.getName())
        .hasMessageContaining("TRANSACTIONAL")
        .hasMessageContaining("READ_WRITE");
  }

  @Test
  void referenceEntriesAreRefusedAtBootNamingTheSetting() {
    // Country is immutable and has no associations: Hibernate would hand the cache the instance.
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put("hibernate.cache.use_reference_entries", "true");
    assertThatThrownBy(() -> Boot.factory(db, settings, Country.class))
        .rootCause()
        .hasMessageContaining("hibernate.cache.use_reference_entries")
        .hasMessageContaining("false");
  }

  @Test
  void aDurationWithoutUnitIsRefusedNamingTheSetting() {
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put(CacheSettings.TTL, "10");
    assertThatThrownBy(() -> Boot.factory(db, settings, Country.class))
        .rootCause()
        .hasMessageContaining(CacheSettings.TTL)
        .hasMessageContaining("unit");
  }

  @Test
  void theLocalStoreNeedsNoRedis() {
    Map<String, Object> settings = new HashMap<>();
    settings.put("hibernate.hbm2ddl.auto", "none");
    settings.put(CacheSettings.STORE, "local");
    SessionFactory local = Boot.factory(db, settings, Post.class, Author.class);
    try {
      int before = redis.keys().size();
      local.inTransaction(session -> session.findMultiple(Post.class, List.of(1L, 2L, 3L)));
      local.getStatistics().clear();
      List<Post> posts =
          local.fromTransaction(session -> session.findMultiple(Post.class, List.of(1L, 2L, 3L)));
      assertThat(posts).hasSize(3).doesNotContainNull();
      assertThat(local.getStatistics().getSecondLevelCacheHitCount()).isEqualTo(3);
      assertThat(local.getStatistics().getPrepareStatementCount()).isZero();
      assertThat(redis.keys()).hasSize(before);
    } finally {
      local.close();
    }
  }
}
