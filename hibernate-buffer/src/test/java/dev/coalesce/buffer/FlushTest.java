package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.execute;
import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static dev.coalesce.buffer.Boot.queryRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.testing.ManualTime;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.Test;

/** The flusher: its schedule, its statistics, rows that fail, and the switch that turns it off. */
@RealServices
class FlushTest {

  @Test
  void theBackgroundFlusherAppliesDeltasEveryInterval(TestDatabase db, TestRedis redis) {
    ManualTime time = ManualTime.stopped();
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put(BufferSettings.FLUSH_INTERVAL, "10s");
    SessionFactory factory = Boot.boot(settings, time, Post.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      inTx(factory, em -> em.persist(new Post(1L, "scheduled")));
      inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 3));

      time.advance(Duration.ofSeconds(9));
      assertThat(buffer.pending(Post.class, 1L, "views")).as("before the interval").isEqualTo(3);
      assertThat(queryLong(db, "select views from post where id = 1")).isZero();

      time.advance(Duration.ofSeconds(1));
      // the flush runs on the flusher's thread: wait for it, not for the interval
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> queryLong(db, "select views from post where id = 1") == 3);
      assertThat(buffer.pending(Post.class, 1L, "views")).isZero();
      assertThat(buffer.stats().flushes()).isEqualTo(1);

      inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 2));
      time.advance(Duration.ofSeconds(10));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> queryLong(db, "select views from post where id = 1") == 5);
      assertThat(buffer.stats().flushes()).isEqualTo(2);
    } finally {
      factory.close();
    }
  }

  @Test
  void statsCountWhatHappened(TestDatabase db) {
    ManualTime time = ManualTime.stopped();
    SessionFactory factory = Boot.boot(Boot.localSettings(db), time, Post.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      Boot.persistPosts(factory, 2);
      assertThat(buffer.stats().oldestPendingAge()).isEqualTo(Duration.ZERO);
      inTx(
          factory,
          em -> {
            Post post = em.find(Post.class, 1L);
            post.views += 2;
            post.likes += 1;
            buffer.increment(em, Post.class, 1L, "views", 1);
            buffer.increment(em, Post.class, 2L, "views", 1);
          });
      time.advance(Duration.ofSeconds(7));
      BufferStats pending = buffer.stats();
      // two captured counter changes plus two increment() calls
      assertThat(pending.incrementsAccepted()).isEqualTo(4);
      // summed per counter: post 1 views, post 1 likes, post 2 views
      assertThat(pending.deltasPushed()).isEqualTo(3);
      assertThat(pending.oldestPendingAge()).isEqualTo(Duration.ofSeconds(7));
      assertThat(pending.rowsFlushed()).isZero();

      assertThat(buffer.flush()).isEqualTo(2);
      BufferStats flushed = buffer.stats();
      assertThat(flushed.rowsFlushed()).isEqualTo(2);
      assertThat(flushed.flushes()).isPositive();
      assertThat(flushed.rowsFailed()).isZero();
      assertThat(flushed.directFallbacks()).isZero();
      assertThat(flushed.oldestPendingAge()).isEqualTo(Duration.ZERO);
    } finally {
      factory.close();
    }
  }

  @Test
  void aRowWhoseUpdateFailsIsSetAsideAndTheOthersAreApplied(TestDatabase db, TestRedis redis) {
    EntityManagerFactory factory = Boot.boot(Boot.redisSettings(db, redis), Post.class);
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

      assertThat(buffer.flush()).isEqualTo(2);

      assertThat(queryLong(db, "select likes from post where id = 1")).isEqualTo(5);
      assertThat(queryLong(db, "select likes from post where id = 2"))
          .isEqualTo(Integer.MAX_VALUE - 1);
      assertThat(queryLong(db, "select likes from post where id = 3")).isEqualTo(5);
      assertThat(buffer.stats().rowsFailed()).isEqualTo(1);
      // the README's layout: one row per delta in coalesce_buffer_failed, with the claim it came in
      // and the database's error (22003: integer out of range)
      assertThat(
              queryRows(
                  db,
                  "select f.entity, f.attribute, f.id, f.delta, f.seq = l.last_seq,"
                      + " f.error like '22003 numeric value out of range: %', f.failed_at is not null"
                      + " from coalesce_buffer_failed f"
                      + " join coalesce_buffer_ledger l on l.partition_no = f.partition_no"))
          .containsExactly(Post.class.getName() + "|likes|2|5|t|t|t");
      assertThat(redis.keys()).noneMatch(key -> key.endsWith(":failed"));
      // the partition is not blocked: the next flush runs cleanly
      inTx(factory, em -> buffer.increment(em, Post.class, 1L, "likes", 1));
      assertThat(buffer.flush()).isEqualTo(1);
      assertThat(queryLong(db, "select likes from post where id = 1")).isEqualTo(6);
    } finally {
      factory.close();
    }
  }

  @Test
  void disabledCountersAreOrdinaryColumns(TestDatabase db) {
    Map<String, Object> settings = Boot.localSettings(db);
    settings.put(BufferSettings.ENABLED, "false");
    EntityManagerFactory factory = Boot.boot(settings, Post.class);
    try {
      inTx(factory, em -> em.persist(new Post(1L, "plain")));
      inTx(factory, em -> em.find(Post.class, 1L).views += 4);
      assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(4);
      assertThatThrownBy(() -> CounterBuffer.of(factory))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(BufferSettings.ENABLED);
    } finally {
      factory.close();
    }
  }

  @Test
  void aClaimTheLedgerAlreadyHoldsIsAcknowledgedAndNotAppliedAgain(
      TestDatabase db, TestRedis redis) {
    // a fresh ledger: the partition this test's flush advances is the only one above 0
    execute(db, "drop table if exists coalesce_buffer_ledger");
    EntityManagerFactory factory = Boot.boot(Boot.redisSettings(db, redis), Post.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      inTx(factory, em -> em.persist(new Post(1L, "crash after commit")));
      inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 4));
      assertThat(buffer.flush()).isEqualTo(1);
      // the one partition this flush advanced is post 1's
      long partition =
          queryLong(db, "select partition_no from coalesce_buffer_ledger where last_seq > 0");
      long applied =
          queryLong(
              db, "select last_seq from coalesce_buffer_ledger where partition_no = " + partition);
      assertThat(applied).isPositive();
      String field = Post.class.getName() + "|views|1";

      // a flusher that committed and died before its ack leaves its claim in flight
      String inflight = redis.namespace() + ":buf:{p" + partition + "}:inflight";
      redis.command("HSET", inflight, field, "4", "seq", Long.toString(applied));
      assertThat(buffer.pending(Post.class, 1L, "views")).as("already in the database").isZero();
      inTx(factory, em -> buffer.increment(em, Post.class, 1L, "views", 2));

      // one flush acks the stale claim without applying it, then applies what is live
      buffer.flush();
      assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(6);
      assertThat(redis.command("EXISTS", inflight)).isEqualTo(0L);

      // a claim that died before its commit is applied, once
      long now =
          queryLong(
              db, "select last_seq from coalesce_buffer_ledger where partition_no = " + partition);
      redis.command("HSET", inflight, field, "3", "seq", Long.toString(now + 1));
      assertThat(buffer.pending(Post.class, 1L, "views")).isEqualTo(3);
      buffer.flush();
      buffer.flush();
      assertThat(queryLong(db, "select views from post where id = 1")).isEqualTo(9);
    } finally {
      factory.close();
    }
  }
}
