package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.execute;
import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static dev.coalesce.buffer.Boot.queryRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import dev.coalesce.testing.TestRedisClients;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * Deltas the flush cannot apply are recorded in the table {@code coalesce_buffer_failed} in the
 * flush transaction itself: exactly once, whatever Redis does after the commit.
 */
@RealServices
class SetAsideTest {

  private static final String FAILED =
      "select entity, attribute, id, delta, error from coalesce_buffer_failed order by id";

  @BeforeEach
  void emptyTables(TestDatabase db) {
    execute(db, "drop table if exists coalesce_buffer_failed");
  }

  @Test
  void aRowSetAsideIsRecordedOnceWhenRedisFailsRightAfterTheFlushCommits(
      TestDatabase db, TestRedis redis) {
    try (CountingRedisProxy proxy = CountingRedisProxy.start(redis.host(), redis.port());
        JdbcUpdateCounter dataSource = new JdbcUpdateCounter(db, "coalesce_buffer_ledger")) {
      RedissonClient client = Boot.fastFailingClient(proxy.address());
      Map<String, Object> settings = dataSource.install(Boot.localSettings(db));
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, redis.namespace());
      // one partition: the overflowing row and the good rows are in one claim
      settings.put(BufferSettings.PARTITIONS, "1");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
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

        // Redis goes away the moment the flush transaction has committed, before the ack
        dataSource.afterNextCommit(proxy::block);
        assertThatThrownBy(buffer::flush).isInstanceOf(RuntimeException.class);
        String inflight = redis.namespace() + ":buf:{p0}:inflight";
        assertThat(redis.command("EXISTS", inflight))
            .as("claim committed, not acked")
            .isEqualTo(1L);
        assertThat(queryLong(db, "select likes from post where id = 1")).isEqualTo(5);
        assertThat(queryRows(db, FAILED)).hasSize(1);

        // Redis is back: the next flush finds the claim applied per the ledger and only acks it
        proxy.unblock();
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .ignoreExceptions()
            .until(
                () -> {
                  buffer.flush();
                  return true;
                });
        buffer.flush();

        assertThat(redis.command("EXISTS", inflight)).isEqualTo(0L);
        assertThat(queryLong(db, "select likes from post where id = 1")).isEqualTo(5);
        assertThat(queryLong(db, "select likes from post where id = 2"))
            .isEqualTo(Integer.MAX_VALUE - 1);
        assertThat(queryLong(db, "select likes from post where id = 3")).isEqualTo(5);
        assertThat(queryRows(db, FAILED))
            .singleElement()
            .asString()
            .startsWith(Post.class.getName() + "|likes|2|5|22003 numeric value out of range: ");
        assertThat(queryLong(db, "select seq from coalesce_buffer_failed"))
            .isEqualTo(queryLong(db, "select last_seq from coalesce_buffer_ledger"));
        assertThat(buffer.stats().rowsFailed()).isEqualTo(1);
      } finally {
        factory.close();
        client.shutdown();
      }
    }
  }

  @Test
  void aCounterTheApplicationNoLongerMapsIsSetAsideOnce(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put(BufferSettings.PARTITIONS, "1");
    EntityManagerFactory factory = Boot.boot(settings, Post.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      Boot.persistPosts(factory, 1);
      inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 2));
      // a delta pushed by an older version of the application, which had a 'shares' counter
      redis.command(
          "HINCRBY", redis.namespace() + ":buf:{p0}:live", Post.class.getName() + "|shares|1", "7");

      assertThat(buffer.flush()).isEqualTo(1);
      buffer.flush();

      assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(2);
      assertThat(queryRows(db, FAILED))
          .containsExactly(
              Post.class.getName()
                  + "|shares|1|7|not mapped: no @BufferedCounter attribute 'shares' on entity "
                  + Post.class.getName());
    } finally {
      factory.close();
    }
  }

  @Test
  void aDirectFallbackRecordsTheRowItCannotApply(TestDatabase db) {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      RedissonClient client = Boot.fastFailingClient(server);
      Map<String, Object> settings = Boot.localSettings(db);
      settings.put(BufferSettings.REDIS_CLIENT, client);
      settings.put(BufferSettings.NAMESPACE, "direct");
      EntityManagerFactory factory = Boot.boot(settings, Post.class);
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        Boot.persistPosts(factory, 2);
        execute(db, "update post set likes = " + (Integer.MAX_VALUE - 1) + " where id = 2");

        server.stop();
        TestRedisClients.awaitUnreachable(client);
        inTx(
            factory,
            em -> {
              buffer.increment(em, Post.class, 1L, "likes", 5);
              buffer.increment(em, Post.class, 2L, "likes", 5);
            });

        assertThat(buffer.stats().directFallbacks()).isEqualTo(1);
        assertThat(queryLong(db, "select likes from post where id = 1")).isEqualTo(5);
        assertThat(queryLong(db, "select likes from post where id = 2"))
            .isEqualTo(Integer.MAX_VALUE - 1);
        assertThat(queryRows(db, FAILED))
            .singleElement()
            .asString()
            .startsWith(Post.class.getName() + "|likes|2|5|22003 numeric value out of range: ");
        assertThat(queryLong(db, "select count(*) from coalesce_buffer_failed where seq is null"))
            .as("no claim, no sequence number")
            .isEqualTo(1);
        assertThat(buffer.stats().rowsFailed()).isEqualTo(1);
      } finally {
        factory.close();
        client.shutdown();
      }
    }
  }
}
