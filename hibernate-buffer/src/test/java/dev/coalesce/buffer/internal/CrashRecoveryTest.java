package dev.coalesce.buffer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coalesce.buffer.Boot;
import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.buffer.Post;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestDatabases;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Item 5 of the hardening issue: a flusher killed at each step of the flush (after the claim, after
 * the row updates before the commit, after the commit before the ack) loses and doubles nothing. On
 * the {@code redis} store a new SessionFactory on the same database and namespace recovers what the
 * dead one left in flight; on the {@code local} store the in-flight claim lives in the one JVM, so
 * the same factory's next flush recovers it (a dead JVM loses the local store's deltas, as
 * documented).
 */
@RealServices
class CrashRecoveryTest {

  private static final int ROWS = 30;

  /** Where the flusher dies. */
  enum Step {
    AFTER_CLAIM,
    AFTER_ROW_UPDATES,
    AFTER_COMMIT
  }

  /** The flusher's death: an Error, so that nothing of the flush in progress goes on. */
  static final class Killed extends Error {
    private static final long serialVersionUID = 1L;

    Killed(String message) {
      super(message);
    }
  }

  /** Kills the flusher at {@code step}; with {@code forever}, every later flush dies at once. */
  static final class Crash implements FlushFaults {
    private final Step step;
    private final boolean forever;
    private volatile boolean dead;
    private volatile boolean done;

    Crash(Step step, boolean forever) {
      this.step = step;
      this.forever = forever;
    }

    private void at(Step reached) {
      if (dead && forever) {
        throw new Killed("this flusher is dead");
      }
      if (reached == step && !done) {
        done = true;
        dead = true;
        throw new Killed("flusher killed " + step);
      }
    }

    @Override
    public void beforeFlush() {
      if (dead && forever) {
        throw new Killed("this flusher is dead");
      }
    }

    @Override
    public void afterClaim(Claim claim) {
      at(Step.AFTER_CLAIM);
    }

    @Override
    public void afterRowUpdates(Claim claim) {
      at(Step.AFTER_ROW_UPDATES);
    }

    @Override
    public void afterCommit(Claim claim) {
      at(Step.AFTER_COMMIT);
    }
  }

  private String namespace;

  @BeforeEach
  void freshNamespaceAndTables(TestDatabase db, TestRedis redis, TestInfo test) {
    namespace = redis.namespace() + ":" + test.getDisplayName().replaceAll("\\W", "");
    Boot.execute(db, "drop table if exists coalesce_buffer_local_applied");
    Boot.execute(db, "drop table if exists coalesce_buffer_lease");
  }

  /** Every step on every database of the matrix. */
  static Stream<Arguments> stepsOnEveryDatabase() {
    List<Arguments> all = new ArrayList<>();
    for (TestDatabase.Kind kind : TestDatabase.Kind.values()) {
      for (Step step : Step.values()) {
        all.add(Arguments.of(kind, step));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("stepsOnEveryDatabase")
  void redisStoreANewFactoryRecoversWhatADeadFlusherLeftInFlight(
      TestDatabase.Kind kind, Step step, TestDatabases databases, TestRedis redis) {
    TestDatabase db = databases.of(kind);
    Boot.execute(db, "drop table if exists coalesce_buffer_local_applied");
    Boot.execute(db, "drop table if exists coalesce_buffer_lease");
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    settings.put(BufferSettings.NAMESPACE, namespace);
    settings.put(BufferSettings.PARTITIONS, "4");
    settings.put(BufferSettings.MAX_ROWS_PER_FLUSH, "5");
    settings.put("hibernate.hbm2ddl.auto", "create");
    EntityManagerFactory dying = Boot.boot(settings, Post.class);
    Workload workload = Workload.seeded("crash " + step + ", redis store, " + kind, ROWS);
    try {
      Boot.persistPosts(dying, ROWS);
      workload.commit(dying, 0, 60);
      Flusher.of(dying.unwrap(SessionFactoryImplementor.class)).faults = new Crash(step, true);
      assertThatThrownBy(() -> CounterBuffer.of(dying).flush()).isInstanceOf(Killed.class);
      // the application goes on committing on the node whose flusher died
      workload.commit(dying, 1, 20);
    } finally {
      dying.close(); // its last flush dies too: nothing is drained
    }
    assertThat(Boot.queryLong(db, "select coalesce(sum(views), 0) from post"))
        .as("applied before the crash")
        .isLessThan(workload.total());

    settings.put("hibernate.hbm2ddl.auto", "none");
    EntityManagerFactory recovering = Boot.boot(settings, Post.class);
    try {
      CounterBuffer.of(recovering).flush();
      workload.assertExactTotals(db);
      assertThat(redis.keys())
          .noneMatch(key -> key.startsWith(namespace) && key.endsWith("inflight"));
    } finally {
      recovering.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void localStoreTheNextFlushRecoversWhatTheKilledFlushLeftInFlight(Step step, TestDatabase db) {
    Map<String, Object> settings = Boot.localSettings(db);
    settings.put(BufferSettings.PARTITIONS, "4");
    settings.put(BufferSettings.MAX_ROWS_PER_FLUSH, "5");
    settings.put("hibernate.hbm2ddl.auto", "create");
    EntityManagerFactory node = Boot.boot(settings, Post.class);
    Workload workload = Workload.seeded("crash " + step + ", local store", ROWS);
    try {
      Boot.persistPosts(node, ROWS);
      workload.commit(node, 0, 60);
      Flusher.of(node.unwrap(SessionFactoryImplementor.class)).faults = new Crash(step, false);
      assertThatThrownBy(() -> CounterBuffer.of(node).flush()).isInstanceOf(Killed.class);
      workload.commit(node, 1, 20);

      CounterBuffer.of(node).flush();
      workload.assertExactTotals(db);
      assertThat(Boot.queryLong(db, "select count(*) from coalesce_buffer_local_applied"))
          .as("applied local claims still remembered: at most one per partition")
          .isLessThanOrEqualTo(4);
    } finally {
      node.close();
    }
  }
}
