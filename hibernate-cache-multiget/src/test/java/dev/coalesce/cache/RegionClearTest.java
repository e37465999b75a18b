package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.Resp;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Issue 14, item 4: a region clear (a bulk HQL update, {@code evictEntityData}) costs one key
 * whatever the region holds, and a load that started before the clear cannot put its old row back
 * after it, on Redis and on the local store.
 */
@RealServices
class RegionClearTest {

  private static final int ROWS = 2_000;

  @Test
  void aClearCostsOneCommandWhateverTheRegionHolds(TestDatabase db) {
    try (RedisServerProcess redis = RedisServerProcess.start();
        CountingRedisProxy proxy = CountingRedisProxy.start(redis.host(), redis.port());
        Resp resp = new Resp(redis.host(), redis.port())) {
      // no PINGs among the counted round trips, and a timeout a loaded machine does not reach
      RedissonClient client = TestRedisClients.failingAfter(proxy.address(), Duration.ofSeconds(2));
      SessionFactory factory =
          Boot.factory(
              db,
              Map.of(CoalesceSettings.REDIS_CLIENT, client, CoalesceSettings.NAMESPACE, "clear"),
              Post.class,
              Author.class);
      try {
        List<Long> ids = LongStream.rangeClosed(1, ROWS).boxed().toList();
        factory.inTransaction(
            session -> ids.forEach(id -> session.persist(new Post(id, "row " + id))));
        factory.inTransaction(session -> session.findMultiple(Post.class, ids));
        Boot.settled(factory); // its write-backs answered, so none is counted below
        long keysBefore = (Long) resp.command("DBSIZE");
        assertThat(keysBefore).isGreaterThanOrEqualTo(ROWS);

        proxy.reset();
        factory.getCache().evictEntityData(Post.class);
        List<String> sent = new ArrayList<>();
        proxy.roundTrips().forEach(trip -> sent.addAll(trip.commands()));
        System.out.printf("evictEntityData of a region of %d entries sent %s%n", ROWS, sent);
        assertThat(sent).as("one script call on the clear key, no SCAN, no DEL").hasSize(1);
        assertThat(sent.get(0)).startsWith("EVAL");
        // nothing deleted (the clear key exists since boot: creating the schema cleared it)
        assertThat((Long) resp.command("DBSIZE")).isEqualTo(keysBefore);
        assertThat((String) resp.command("GET", "clear:c:" + Post.class.getName() + ":!clear"))
            .as("the region's clear time")
            .hasSize(16);

        factory.getStatistics().clear();
        factory.inTransaction(session -> session.findMultiple(Post.class, ids));
        assertThat(factory.getStatistics().getSecondLevelCacheHitCount())
            .as("every entry cached before the clear is gone")
            .isZero();
        assertThat(factory.getStatistics().getSecondLevelCacheMissCount()).isEqualTo(ROWS);
        // Loads are cached again once they start after the clear by more than the clock's
        // uncertainty (a session's start is lowered by it, see RedisClock).
        await("loads after the clear are cached again")
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> {
                  factory.getStatistics().clear();
                  factory.inTransaction(session -> session.findMultiple(Post.class, ids));
                  return factory.getStatistics().getSecondLevelCacheHitCount() == ROWS;
                });
      } finally {
        factory.close();
        client.shutdown();
      }
    }
  }

  @Test
  void aLoadThatBeganBeforeABulkUpdateCannotCacheItsOldRowOnRedis(TestDatabase db) {
    try (RedisServerProcess redis = RedisServerProcess.start()) {
      RedissonClient client = TestRedisClients.fastFailing(redis.address());
      try {
        aLoadThatBeganBeforeABulkUpdateCannotCacheItsOldRow(
            db, Map.of(CoalesceSettings.REDIS_CLIENT, client, CoalesceSettings.NAMESPACE, "race"));
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void aLoadThatBeganBeforeABulkUpdateCannotCacheItsOldRowOnTheLocalStore(TestDatabase db) {
    aLoadThatBeganBeforeABulkUpdateCannotCacheItsOldRow(db, Map.of(CacheSettings.STORE, "local"));
  }

  /**
   * The reader's transaction takes its snapshot (PostgreSQL {@code REPEATABLE READ}) before a bulk
   * update commits and clears the region, and loads the row after the clear: it reads the old row
   * and offers it to the cache. Before clears were stamped, the clear had deleted every key, the
   * put found nothing and cached the old title for every later reader.
   */
  private static void aLoadThatBeganBeforeABulkUpdateCannotCacheItsOldRow(
      TestDatabase db, Map<String, Object> store) {
    Map<String, Object> settings = new HashMap<>(store);
    settings.put(
        "hibernate.connection.isolation", Integer.toString(Connection.TRANSACTION_REPEATABLE_READ));
    SessionFactory factory = Boot.factory(db, settings, Post.class, Author.class);
    try {
      factory.inTransaction(session -> session.persist(new Post(1L, "old")));
      factory.inTransaction(
          reader -> {
            // the snapshot: everything this transaction reads from now on is as of here
            reader.createNativeQuery("select count(*) from post", Long.class).getSingleResult();
            factory.inTransaction(
                writer ->
                    writer
                        .createMutationQuery("update Post set title = 'new' where id = 1")
                        .executeUpdate());
            // after the writer's commit, so after its region clear
            assertThat(reader.find(Post.class, 1L).getTitle()).isEqualTo("old");
          });
      factory.getStatistics().clear();
      String seen = factory.fromTransaction(session -> session.find(Post.class, 1L).getTitle());
      assertThat(seen).as("what a transaction after the bulk update reads").isEqualTo("new");
      assertThat(factory.getStatistics().getSecondLevelCacheHitCount())
          .as("the old row was not cached")
          .isZero();
    } finally {
      factory.close();
    }
  }
}
