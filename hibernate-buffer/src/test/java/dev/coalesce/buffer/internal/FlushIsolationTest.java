package dev.coalesce.buffer.internal;

import static dev.coalesce.buffer.Boot.queryLong;
import static dev.coalesce.buffer.Boot.queryRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.PartitionsFailedException;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Item 4 of the hardening issue: database connections cut during flushes (backends terminated, a
 * statement timeout) lose and double nothing and set nothing aside; a partition that fails does not
 * stop the others; an id that no longer parses is set aside, not an abort; an Error in a flush does
 * not stop the background schedule.
 */
@RealServices
class FlushIsolationTest {

  private static final int PARTITIONS = 16;

  private String namespace;

  @BeforeEach
  void freshLeases(TestDatabase db, TestRedis redis, TestInfo test) {
    // a namespace per test: what one test leaves in Redis never reaches another's table
    namespace = redis.namespace() + ":" + test.getTestMethod().orElseThrow().getName();
    Boot.execute(db, "drop table if exists coalesce_buffer_lease");
    Boot.execute(db, "drop table if exists coalesce_buffer_failed");
  }

  private Map<String, Object> settings(TestDatabase db, TestRedis redis, String store) {
    Map<String, Object> settings;
    if (store.equals("redis")) {
      settings = Boot.redisSettings(db, redis);
      settings.put(BufferSettings.NAMESPACE, namespace);
    } else {
      settings = Boot.localSettings(db);
    }
    settings.put(BufferSettings.PARTITIONS, Integer.toString(PARTITIONS));
    settings.put("hibernate.hbm2ddl.auto", "create");
    return settings;
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis", "local"})
  void backendsTerminatedDuringFlushesLoseAndDoubleNothing(
      String store, TestDatabase db, TestRedis redis) throws Exception {
    Map<String, Object> settings = settings(db, redis, store);
    settings.put(BufferSettings.FLUSH_INTERVAL, "10ms");
    settings.put(BufferSettings.MAX_ROWS_PER_FLUSH, "3");
    EntityManagerFactory node = Boot.boot(settings, Post.class);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();
    try {
      int rows = 40;
      Boot.persistPosts(node, rows);
      Workload workload = Workload.seeded("terminated backends, " + store + " store", rows);
      AtomicInteger kills = new AtomicInteger();
      AtomicInteger failedFlushes = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      killer.scheduleWithFixedDelay(
          () -> kills.addAndGet(terminateFlusherBackends(db)), 0, 3, TimeUnit.MILLISECONDS);
      List<Future<?>> tasks = new ArrayList<>();
      for (int thread = 0; thread < 3; thread++) {
        int t = thread;
        tasks.add(pool.submit(() -> workload.commit(node, t, 300)));
      }
      // explicit flushes race with the background flush, so that flushes run all the time
      Future<?> flushes =
          pool.submit(
              () -> {
                while (running.get()) {
                  try {
                    CounterBuffer.of(node).flush();
                  } catch (RuntimeException e) {
                    failedFlushes.incrementAndGet(); // a cut connection: retried by the next flush
                  }
                }
              });
      for (Future<?> task : tasks) {
        task.get(2, TimeUnit.MINUTES);
      }
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> kills.get() >= 20);
      running.set(false);
      flushes.get(1, TimeUnit.MINUTES);
      killer.shutdown();
      assertThat(killer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      // the next flush applies what the cut flushes left in flight, once
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> CounterBuffer.of(node).flush() >= 0);
      System.out.printf(
          "terminated backends, %s store: %d backends terminated, %d explicit flushes failed%n",
          store, kills.get(), failedFlushes.get());
      assertThat(failedFlushes.get()).as("flushes cut by a terminated backend").isPositive();
      workload.assertExactTotals(db);
    } finally {
      killer.shutdownNow();
      pool.shutdownNow();
      node.close();
    }
  }

  /**
   * Terminates every backend of this schema that is inside a flush right now: a ledger, lease or
   * counter statement that is running or whose transaction is open.
   */
  private static int terminateFlusherBackends(TestDatabase db) {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement();
        ResultSet killed =
            statement.executeQuery(
                "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity"
                    + " where pid <> pg_backend_pid() and state <> 'idle'"
                    + " and query ilike '%"
                    + db.schema()
                    + "%' and (query ilike '%coalesce_buffer_%' or query ilike 'update%post"
                    + " set%views%')) t")) {
      killed.next();
      return killed.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot terminate the flusher's backends", e);
    }
  }

  @Test
  void aStatementTimeoutFailsOnePartitionOnlyAndItsClaimIsAppliedOnceLater(
      TestDatabase db, TestRedis redis) throws SQLException {
    Map<String, Object> settings = settings(db, redis, "redis");
    settings.put("hibernate.hikari.connectionInitSql", "set statement_timeout = 300");
    EntityManagerFactory node = Boot.boot(settings, Post.class);
    try {
      int rows = 40;
      Boot.persistPosts(node, rows);
      Workload workload = Workload.seeded("statement timeout", rows);
      workload.commit(node, 0, 100);
      int locked = Workload.partitionOf(1, PARTITIONS);

      try (Connection other = db.connect()) {
        // another transaction holds post 1: the flusher's UPDATE of it waits, then times out
        other.setAutoCommit(false);
        try (Statement statement = other.createStatement()) {
          statement.execute("select views from post where id = 1 for update");
        }
        assertThatThrownBy(() -> CounterBuffer.of(node).flush())
            .isInstanceOfSatisfying(
                PartitionsFailedException.class,
                e ->
                    assertThat(e.partitions()).isEqualTo(BitSet.valueOf(new long[] {1L << locked})))
            .hasStackTraceContaining("statement timeout");
        for (int id = 1; id <= rows; id++) {
          long inDatabase = queryLong(db, "select views from post where id = " + id);
          if (Workload.partitionOf(id, PARTITIONS) == locked) {
            assertThat(inDatabase).as("post %d, in the partition that timed out", id).isZero();
            assertThat(CounterBuffer.of(node).pending(Post.class, (long) id, "views"))
                .as("post %d still pending", id)
                .isEqualTo(workload.sent(id));
          } else {
            assertThat(inDatabase)
                .as("post %d, another partition", id)
                .isEqualTo(workload.sent(id));
          }
        }
        other.rollback();
      }
      CounterBuffer.of(node).flush();
      workload.assertExactTotals(db);
    } finally {
      node.close();
    }
  }

  @Test
  void anIdThatNoLongerParsesIsSetAsideAndTheOtherPartitionsFlush(
      TestDatabase db, TestRedis redis) {
    EntityManagerFactory node = Boot.boot(settings(db, redis, "redis"), Post.class);
    try {
      int rows = 40;
      Boot.persistPosts(node, rows);
      Workload workload = Workload.seeded("unparseable id", rows);
      workload.commit(node, 0, 50);
      // pushed by an older version whose Post ids were text
      String badId = "not-a-number";
      int partition = new CounterKey(Post.class.getName(), "views", badId).partition(PARTITIONS);
      redis.command(
          "HINCRBY",
          namespace + ":buf:{p" + partition + "}:live",
          Post.class.getName() + "|views|" + badId,
          "7");

      CounterBuffer.of(node).flush();

      workload.assertRowTotals(db);
      assertThat(
              queryRows(
                  db,
                  "select partition_no, entity, attribute, id, delta, error"
                      + " from coalesce_buffer_failed"))
          .singleElement()
          .asString()
          .startsWith(partition + "|" + Post.class.getName() + "|views|" + badId + "|7|")
          .contains("does not parse as java.lang.Long");
    } finally {
      node.close();
    }
  }

  /** An Error thrown inside a scheduled flush. */
  static final class InjectedError extends Error {
    private static final long serialVersionUID = 1L;

    InjectedError() {
      super("injected by the test inside a flush");
    }
  }

  @Test
  void anErrorInsideABackgroundFlushDoesNotStopTheSchedule(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = settings(db, redis, "redis");
    settings.put(BufferSettings.FLUSH_INTERVAL, "20ms");
    EntityManagerFactory node = Boot.boot(settings, Post.class);
    try {
      int rows = 10;
      Boot.persistPosts(node, rows);
      AtomicInteger errors = new AtomicInteger();
      Flusher.of(node.unwrap(SessionFactoryImplementor.class)).faults =
          new FlushFaults() {
            @Override
            public void afterClaim(Claim claim) {
              if (errors.get() < 3) {
                errors.incrementAndGet();
                throw new InjectedError();
              }
            }
          };
      Workload workload = Workload.seeded("error in the schedule", rows);
      workload.commit(node, 0, 50);

      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> queryLong(db, "select coalesce(sum(views), 0) from post") == workload.total());
      assertThat(errors.get()).as("flushes that threw an Error").isEqualTo(3);
      workload.assertExactTotals(db);
    } finally {
      node.close();
    }
  }
}
