package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.execute;
import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static dev.coalesce.buffer.Boot.queryRows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestDatabases;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An overflowing counter is set aside in {@code coalesce_buffer_failed} with the same normalized
 * error on every database, and on MySQL/MariaDB whatever the connection's {@code sql_mode}: a lax
 * mode would otherwise store the column's maximum and report the increments as applied.
 */
@RealServices
class SetAsideOnEveryDatabaseTest {

  private static final String FAILED =
      "select entity, attribute, id, delta, error from coalesce_buffer_failed order by id";

  @ParameterizedTest(name = "{0}")
  @EnumSource(TestDatabase.Kind.class)
  void anOverflowIsSetAsideAndTheOtherRowsApplied(
      TestDatabase.Kind kind, TestDatabases databases, TestRedis redis) {
    TestDatabase db = databases.of(kind);
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put(BufferSettings.NAMESPACE, redis.namespace() + ":" + kind);
    EntityManagerFactory factory = overflowOneOfThreeRows(db, settings, kind.name());
    try {
      // the operator's repair, as the README gives it for this database
      execute(db, "update post set likes = 0 where id = 2");
      execute(db, REPAIR.get(kind));
      execute(db, "delete from coalesce_buffer_failed where entity = '" + ENTITY + "'");
      assertThat(queryLong(db, "select likes from post where id = 2"))
          .as("repaired on %s", kind)
          .isEqualTo(5);
    } finally {
      factory.close();
    }
  }

  private static final String ENTITY = Post.class.getName();

  /** The README's repair statements, per database, for {@code Post.likes}. */
  private static final Map<TestDatabase.Kind, String> REPAIR =
      Map.of(
          TestDatabase.Kind.POSTGRESQL,
          "update post p set likes = p.likes + f.total from (select id, sum(delta) total from"
              + " coalesce_buffer_failed where entity = '"
              + ENTITY
              + "' and attribute = 'likes' group by id) f where p.id = f.id::bigint",
          TestDatabase.Kind.MARIADB,
          "update post p join (select id, sum(delta) total from coalesce_buffer_failed where"
              + " entity = '"
              + ENTITY
              + "' and attribute = 'likes' group by id) f on p.id = cast(f.id as signed) set"
              + " p.likes = p.likes + f.total",
          TestDatabase.Kind.H2,
          "update post p set likes = p.likes + (select sum(f.delta) from coalesce_buffer_failed f"
              + " where f.entity = '"
              + ENTITY
              + "' and f.attribute = 'likes' and f.id = cast(p.id as varchar)) where exists"
              + " (select 1 from coalesce_buffer_failed f where f.entity = '"
              + ENTITY
              + "' and f.attribute = 'likes' and f.id = cast(p.id as varchar))");

  @Test
  void onMariaDbALaxSqlModeLosesNothing(TestDatabases databases, TestRedis redis) {
    TestDatabase db = databases.of(TestDatabase.Kind.MARIADB);
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put(BufferSettings.NAMESPACE, redis.namespace() + ":lax");
    // the application's connections are lax: an overflow would be capped with a warning
    settings.put("hibernate.hikari.connectionInitSql", "set session sql_mode = ''");
    settings.put("hibernate.hikari.maximumPoolSize", "1");
    EntityManagerFactory factory = overflowOneOfThreeRows(db, settings, "MARIADB, lax sql_mode");
    try {
      String mode =
          Boot.inTxGet(
              factory,
              em ->
                  String.valueOf(
                      em.createNativeQuery("select @@session.sql_mode").getSingleResult()));
      assertThat(mode).as("the application's own sql_mode is given back").isEmpty();
    } finally {
      factory.close();
    }
  }

  /** Returns the factory, still open (closing drops its tables); the caller closes it. */
  private static EntityManagerFactory overflowOneOfThreeRows(
      TestDatabase db, Map<String, Object> settings, String label) {
    execute(db, "drop table if exists coalesce_buffer_failed");
    settings.put(BufferSettings.PARTITIONS, "1");
    EntityManagerFactory factory = Boot.boot(settings, Post.class);
    CounterBuffer buffer = CounterBuffer.of(factory);
    Boot.persistPosts(factory, 3);
    execute(db, "update post set likes = " + (Integer.MAX_VALUE - 1) + " where id = 2");
    inTx(
        factory,
        em -> {
          for (long id = 1; id <= 3; id++) {
            buffer.increment(em, Post.class, id, "likes", 5);
          }
        });
    long rows = buffer.flush();

    assertThat(rows).as("rows updated on %s", label).isEqualTo(2);
    assertThat(queryLong(db, "select likes from post where id = 1")).isEqualTo(5);
    assertThat(queryLong(db, "select likes from post where id = 2"))
        .as("the overflowing row on %s is untouched", label)
        .isEqualTo(Integer.MAX_VALUE - 1);
    assertThat(queryLong(db, "select likes from post where id = 3")).isEqualTo(5);
    assertThat(queryRows(db, FAILED))
        .singleElement()
        .asString()
        .startsWith(Post.class.getName() + "|likes|2|5|22003 numeric value out of range: ");
    assertThat(buffer.stats().rowsFailed()).isEqualTo(1);
    System.out.printf(
        "SetAsideOnEveryDatabaseTest[%s]: 2 rows applied, the overflow set aside as %s%n",
        label, queryRows(db, "select error from coalesce_buffer_failed"));
    return factory;
  }
}
