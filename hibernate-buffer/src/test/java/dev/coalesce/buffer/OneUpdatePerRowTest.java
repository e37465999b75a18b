package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue item 3: K increments over R rows within one interval reach the database as exactly R row
 * updates, counted by the database itself (a row-level trigger), not by our code, and reach JDBC as
 * batches.
 */
@RealServices
class OneUpdatePerRowTest {

  private static final int ROWS = 20;
  private static final int INCREMENTS = 5_000;

  @Test
  void kIncrementsOverRRowsAreRRowUpdates(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    // one partition: the whole flush is one claim, so its rows can be one JDBC batch
    settings.put(BufferSettings.PARTITIONS, "1");
    try (JdbcUpdateCounter jdbc = new JdbcUpdateCounter(db, "post")) {
      EntityManagerFactory factory = Boot.boot(jdbc.install(settings), Post.class);
      try {
        kIncrementsOverRRows(db, factory, jdbc);
      } finally {
        factory.close();
      }
    }
  }

  private static void kIncrementsOverRRows(
      TestDatabase db, EntityManagerFactory factory, JdbcUpdateCounter jdbc) {
    CounterBuffer buffer = CounterBuffer.of(factory);
    Boot.persistPosts(factory, ROWS);
    Boot.countRowUpdates(db, "post");

    long seed = Long.getLong("coalesce.seed", System.nanoTime());
    System.out.println("OneUpdatePerRowTest seed=" + seed);
    Random random = new Random(seed);
    long[] views = new long[ROWS + 1];
    long[] likes = new long[ROWS + 1];
    // a mix of both capture paths: entity changes and increment(), 100 per transaction
    for (int sent = 0; sent < INCREMENTS; ) {
      int batch = Math.min(100, INCREMENTS - sent);
      int[] picks = new int[batch];
      for (int i = 0; i < batch; i++) {
        picks[i] = 1 + random.nextInt(ROWS);
      }
      int start = sent;
      inTx(
          factory,
          em -> {
            for (int i = 0; i < picks.length; i++) {
              long id = picks[i];
              if ((start + i) % 2 == 0) {
                em.find(Post.class, id).views++;
                views[(int) id]++;
              } else {
                buffer.increment(em, Post.class, id, "likes", 1);
                likes[(int) id]++;
              }
            }
          });
      sent += batch;
    }
    // every row got both counters: the increments are spread well over 20 rows
    for (int id = 1; id <= ROWS; id++) {
      assertThat(views[id]).isPositive();
      assertThat(likes[id]).isPositive();
    }
    assertThat(queryLong(db, "select n from post_updates")).isZero();
    jdbc.reset();

    long rowsFlushed = buffer.flush();

    long rowUpdates = queryLong(db, "select n from post_updates");
    System.out.printf(
        "Item 3: %d increments sent over %d rows (2 counters each) -> %d row updates seen by"
            + " the database (trigger count)%n",
        INCREMENTS, ROWS, rowUpdates);
    assertThat(rowUpdates).isEqualTo(ROWS);
    assertThat(rowsFlushed).isEqualTo(ROWS);
    System.out.printf(
        "Item 3: the %d row updates went to JDBC as %d batch execution(s), %d single%n",
        jdbc.batchedRows.get(), jdbc.batchExecutions.get(), jdbc.singleExecutions.get());
    assertThat(jdbc.batchedRows).hasValue(ROWS);
    assertThat(jdbc.batchExecutions).hasValue(1);
    assertThat(jdbc.singleExecutions).hasValue(0);
    for (int id = 1; id <= ROWS; id++) {
      assertThat(queryLong(db, "select views from post where id = " + id)).isEqualTo(views[id]);
      assertThat(queryLong(db, "select likes from post where id = " + id)).isEqualTo(likes[id]);
    }
  }
}
