package dev.coalesce.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A counter read through the cache is never below the database's value once a flush has committed,
 * whatever the application does with the row around the flush: a session that loaded the row before
 * the flush and then changes another column (plain or {@code @Version}ed), merges a detached copy,
 * or refreshes; on one node and on two (two SessionFactories on one PostgreSQL and one Redis).
 */
@RealServices
class CountersThroughCacheTest {

  private static final int ROWS = 40;
  private static final long FLUSHED = 50;

  private static EntityManagerFactory nodeA;
  private static EntityManagerFactory nodeB;
  private static TestDatabase database;
  private static final AtomicLong titles = new AtomicLong();

  @BeforeAll
  static void boot(TestDatabase db, TestRedis redis) {
    database = db;
    nodeA = boot(db, redis, "create");
    nodeB = boot(db, redis, "none");
    nodeA.runInTransaction(
        em -> {
          for (long id = 1; id <= ROWS; id++) {
            em.persist(new Article(id, "article " + id));
            em.persist(new VersionedArticle(id, "article " + id));
          }
        });
  }

  @AfterAll
  static void close() {
    if (nodeB != null) {
      nodeB.close();
    }
    if (nodeA != null) {
      nodeA.close();
    }
  }

  private static EntityManagerFactory boot(TestDatabase db, TestRedis redis, String ddl) {
    return Nodes.boot(
        db, redis, ddl, "counters-through-cache", Article.class, VersionedArticle.class);
  }

  /** What a session does with a row it loaded; {@code flush} runs a buffer flush in between. */
  enum Write {
    /** Loads, the flush commits, changes the title, commits. */
    UPDATE_OTHER_COLUMN {
      @Override
      void run(
          EntityManagerFactory node, Class<? extends CountedRow> type, long id, Runnable flush) {
        node.runInTransaction(
            em -> {
              CountedRow row = em.find(type, id);
              flush.run();
              row.setTitle(nextTitle());
            });
      }
    },
    /** Loads a copy, then merges it (changed title) in a transaction the flush overlaps. */
    MERGE_DETACHED {
      @Override
      void run(
          EntityManagerFactory node, Class<? extends CountedRow> type, long id, Runnable flush) {
        CountedRow detached = node.callInTransaction(em -> em.find(type, id));
        detached.setTitle(nextTitle());
        node.runInTransaction(
            em -> {
              em.merge(detached);
              flush.run();
            });
      }
    },
    /** Loads, refreshes, the flush commits, changes the title, commits. */
    REFRESH {
      @Override
      void run(
          EntityManagerFactory node, Class<? extends CountedRow> type, long id, Runnable flush) {
        node.runInTransaction(
            em -> {
              CountedRow row = em.find(type, id);
              em.refresh(row);
              flush.run();
              row.setTitle(nextTitle());
            });
      }
    };

    abstract void run(
        EntityManagerFactory node, Class<? extends CountedRow> type, long id, Runnable flush);
  }

  static List<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    long id = 1;
    for (Write write : Write.values()) {
      for (Class<? extends CountedRow> type : List.of(Article.class, VersionedArticle.class)) {
        cases.add(Arguments.of(write, type, false, id++));
        cases.add(Arguments.of(write, type, true, id++));
      }
    }
    return cases;
  }

  @ParameterizedTest(name = "{0} of {1}, two nodes: {2}")
  @MethodSource("cases")
  void aWriterThatLoadedBeforeAFlushNeverCachesTheOldCounter(
      Write write, Class<? extends CountedRow> type, boolean twoNodes, long id) {
    EntityManagerFactory flusher = twoNodes ? nodeB : nodeA;
    readThroughCache(nodeA, type, id); // cached before the story starts

    write.run(nodeA, type, id, () -> flushAdds(flusher, type, id, FLUSHED));

    long inDatabase = viewsInDatabase(type, id);
    assertThat(inDatabase).isEqualTo(FLUSHED);
    for (EntityManagerFactory reader : List.of(nodeA, nodeB)) {
      assertThat(readThroughCache(reader, type, id)).isEqualTo(inDatabase);
    }
    // The row is cached again, with the flushed counter: the cache still serves it.
    Statistics stats = nodeB.unwrap(SessionFactory.class).getStatistics();
    stats.clear();
    assertThat(readThroughCache(nodeB, type, id)).isEqualTo(inDatabase);
    assertThat(stats.getSecondLevelCacheHitCount()).isEqualTo(1);
    assertThat(stats.getPrepareStatementCount()).isZero();
  }

  @Test
  void randomWritesAroundFlushesOnTwoNodesNeverShowACounterBelowTheDatabase() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int rounds = 60;
    int reads = 0;
    int stale = 0;
    List<String> staleReads = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      long id = 20 + random.nextInt(ROWS - 20) + 1;
      Class<? extends CountedRow> type =
          random.nextBoolean() ? Article.class : VersionedArticle.class;
      Write write = Write.values()[random.nextInt(Write.values().length)];
      EntityManagerFactory writer = random.nextBoolean() ? nodeA : nodeB;
      EntityManagerFactory flusher = random.nextBoolean() ? nodeA : nodeB;
      long delta = 1 + random.nextInt(100);
      if (random.nextBoolean()) {
        readThroughCache(random.nextBoolean() ? nodeA : nodeB, type, id);
      }
      write.run(writer, type, id, () -> flushAdds(flusher, type, id, delta));
      long inDatabase = viewsInDatabase(type, id);
      for (EntityManagerFactory reader : List.of(nodeA, nodeB, nodeA, nodeB)) {
        long seen = readThroughCache(reader, type, id);
        reads++;
        if (seen < inDatabase) {
          stale++;
          staleReads.add(
              write + " " + type.getSimpleName() + "#" + id + ": " + seen + " < " + inDatabase);
        }
      }
    }
    System.out.printf(
        "counters through the cache, two nodes: seed %d, %d rounds, %d reads checked, %d stale%s%n",
        seed, rounds, reads, stale, staleReads.isEmpty() ? "" : " " + staleReads);
    assertThat(staleReads).as("stale reads (seed %d)", seed).isEmpty();
  }

  private static String nextTitle() {
    return "title " + titles.incrementAndGet();
  }

  /** Buffers {@code delta} on {@code node} and flushes it to the database. */
  private static void flushAdds(EntityManagerFactory node, Class<?> type, long id, long delta) {
    node.runInTransaction(em -> CounterBuffer.of(node).increment(em, type, id, "views", delta));
    assertThat(CounterBuffer.of(node).flush()).isEqualTo(1);
  }

  private static long readThroughCache(
      EntityManagerFactory node, Class<? extends CountedRow> type, long id) {
    return node.callInTransaction(em -> em.find(type, id).getViews());
  }

  private static long viewsInDatabase(Class<?> type, long id) {
    try (Connection connection = database.connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "select views from " + type.getSimpleName() + " where id = ?")) {
      statement.setLong(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
