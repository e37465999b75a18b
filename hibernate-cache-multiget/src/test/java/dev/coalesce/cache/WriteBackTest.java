package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.CapturedLogs;
import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.hibernate.Hibernate;
import org.hibernate.KeyType;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redisson.api.RedissonClient;

/**
 * Issue 13: a load's write-backs (its put-from-loads, one script call) are sent when the load ends
 * and not waited for: the caller has its entities and commits while Redis works, and a write-back
 * is a conditional put, so when it lands changes only whether it is stored. This node still reads
 * its own write-backs: a read of a key whose write-back is in flight waits for it.
 */
@RealServices
class WriteBackTest {

  private static final int N = 100;
  private static final List<Long> IDS = LongStream.rangeClosed(1, N).boxed().toList();

  private static SessionFactory boot(TestDatabase db, CountingRedisProxy proxy) {
    return Boot.factory(
        db,
        Map.of(CoalesceSettings.REDIS_ADDRESS, proxy.address(), CoalesceSettings.NAMESPACE, "wb"),
        Post.class,
        Author.class);
  }

  /** Rows the cache has never seen: plain JDBC, outside Hibernate. */
  private static void insertBehindTheCache(TestDatabase db, List<Long> ids) throws SQLException {
    try (Connection connection = db.connect();
        PreparedStatement insert =
            connection.prepareStatement(
                "insert into " + db.schema() + ".Post (id, title, version) values (?, ?, 0)")) {
      for (long id : ids) {
        insert.setLong(1, id);
        insert.setString(2, "post " + id);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /**
   * Runs {@code load} with the proxy holding write-back calls ({@code EVALSHA}) before they reach
   * Redis, and returns once the load's write-back is held there: not answered, and not refused.
   */
  private static void loadWithItsWriteBackHeld(CountingRedisProxy proxy, Runnable load) {
    proxy.hold("EVALSHA");
    awaitHeld(proxy, load);
  }

  /** As {@link #loadWithItsWriteBackHeld}, but later script calls (an eviction) go through. */
  private static void loadWithOnlyItsWriteBackHeld(CountingRedisProxy proxy, Runnable load) {
    proxy.holdNext("EVALSHA");
    awaitHeld(proxy, load);
  }

  private static void awaitHeld(CountingRedisProxy proxy, Runnable load) {
    int before = proxy.heldCount();
    load.run();
    await("the load's write-back sent and held")
        .atMost(Duration.ofSeconds(10))
        .until(() -> proxy.heldCount() > before);
  }

  /**
   * The write-back is held by a proxy in front of Redis, before it reaches Redis: the load returns
   * its 100 entities and commits all the same; once the write-back goes through, all 100 are read
   * from the cache. Before, the caller waited for the write-back's reply.
   */
  @Test
  void aLoadReturnsAndCommitsWithoutWaitingForItsWriteBack(TestDatabase db) throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        CountingRedisProxy proxy = CountingRedisProxy.start(redis.host(), redis.port())) {
      SessionFactory factory = boot(db, proxy);
      try {
        insertBehindTheCache(db, IDS);

        proxy.hold("EVALSHA");
        CompletableFuture<Integer> load =
            CompletableFuture.supplyAsync(
                () ->
                    factory
                        .fromTransaction(session -> session.findMultiple(Post.class, IDS))
                        .size());
        assertThat(load.get(10, TimeUnit.SECONDS))
            .as("the load returned while its write-back was held")
            .isEqualTo(N);
        await("the write-back sent and held")
            .atMost(Duration.ofSeconds(10))
            .until(() -> proxy.heldCount() >= 1);
        proxy.release();

        Statistics stats = factory.getStatistics();
        stats.clear();
        factory.inTransaction(session -> session.findMultiple(Post.class, IDS));
        assertThat(stats.getSecondLevelCacheHitCount()).as("read from the cache").isEqualTo(N);
        assertThat(stats.getPrepareStatementCount()).as("SQL").isZero();
      } finally {
        proxy.release();
        factory.close();
      }
    }
  }

  /**
   * Found by Hibernate's own tests on Redis (their JVM hung at shutdown): closing the factory
   * waited, without a limit, for the answer to a load's write-back; with the client shut down
   * first, that answer never comes. Here Redis never answers (the proxy holds the write-back, and
   * the client's timeout is minutes): closing waits a bounded time, and so does a read of a key
   * whose write-back has no answer.
   */
  @Test
  void closingTheFactoryDoesNotHangOnAWriteBackThatIsNeverAnswered(TestDatabase db)
      throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        CountingRedisProxy proxy = CountingRedisProxy.start(redis.host(), redis.port())) {
      RedissonClient client = TestRedisClients.failingAfter(proxy.address(), Duration.ofMinutes(5));
      SessionFactory factory =
          Boot.factory(
              db,
              Map.of(CoalesceSettings.REDIS_CLIENT, client, CoalesceSettings.NAMESPACE, "wb-close"),
              Post.class,
              Author.class);
      try {
        insertBehindTheCache(db, IDS);
        loadWithItsWriteBackHeld(
            proxy, () -> factory.inTransaction(session -> session.findMultiple(Post.class, IDS)));

        assertTimeoutPreemptively(
            Duration.ofSeconds(20),
            () -> factory.inTransaction(session -> session.findMultiple(Post.class, IDS)),
            "a read of keys whose write-back has no answer");
        try (CapturedLogs logs = CapturedLogs.of("dev.coalesce.cache")) {
          assertTimeoutPreemptively(Duration.ofSeconds(20), factory::close, "closing the factory");
          assertThat(logs.at(Level.INFO))
              .anySatisfy(line -> assertThat(line).contains("closing without the answer to"));
        }
      } finally {
        proxy.release();
        client.shutdown();
      }
    }
  }

  /**
   * Round after round, a cold load and at once another read of the same rows on this node: the
   * second read finds all of them cached (it waits for the write-back still in flight, if any).
   */
  @Test
  void thisNodeReadsItsOwnWriteBacks(TestDatabase db) throws SQLException {
    try (RedisServerProcess redis = RedisServerProcess.start();
        CountingRedisProxy proxy = CountingRedisProxy.start(redis.host(), redis.port())) {
      SessionFactory factory = boot(db, proxy);
      try {
        Statistics stats = factory.getStatistics();
        int rounds = 30;
        int notCached = 0;
        for (int round = 0; round < rounds; round++) {
          long first = 1 + (long) round * N;
          List<Long> ids = LongStream.range(first, first + N).boxed().toList();
          insertBehindTheCache(db, ids);
          factory.inTransaction(session -> session.findMultiple(Post.class, ids));
          stats.clear();
          factory.inTransaction(session -> session.findMultiple(Post.class, ids));
          notCached += (int) (N - stats.getSecondLevelCacheHitCount());
        }
        System.out.printf(
            "%d rounds of a cold load and an immediate second read: %d entries not read from"
                + " the cache%n",
            rounds, notCached);
        assertThat(notCached).isZero();
      } finally {
        factory.close();
      }
    }
  }

  /**
   * A write-back that reaches Redis only after this node evicted its entry (the row changed behind
   * the cache meanwhile): the eviction's invalidation marker refuses it, so the next load reads the
   * changed row. With a plain {@code DEL} (before), the held write-back added the old row into the
   * absent key (a {@code NONSTRICT_READ_WRITE} add) and this node served it until its ttl; the
   * eviction then waited up to 1 s for the write-back, which a longer stall outlasted.
   */
  @Test
  void anEvictionRefusesTheWriteBackOfAnEarlierLoadThatArrivesAfterIt(TestDatabase db)
      throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        CountingRedisProxy proxy = CountingRedisProxy.start(redis.host(), redis.port())) {
      SessionFactory factory = bootOn(db, proxy.address(), "wb-evict", null, Note.class);
      try {
        factory.inTransaction(session -> session.persist(new Note(1L, "old")));
        factory.getCache().evictEntityData(Note.class);

        loadWithOnlyItsWriteBackHeld(
            proxy, () -> factory.inTransaction(session -> session.find(Note.class, 1L)));
        updateNoteBehindTheCache(db, "new");
        factory.getCache().evictEntityData(Note.class, 1L);

        proxy.release();
        Boot.settled(factory);
        String text = factory.fromTransaction(session -> session.find(Note.class, 1L).text);
        assertThat(text).as("the note read after the eviction").isEqualTo("new");
      } finally {
        proxy.release();
        factory.close();
      }
    }
  }

  /**
   * The same race across nodes, through ordinary writes: node B loads a note and its write-back is
   * held on the way to Redis; node A updates or deletes the note and commits (a {@code
   * NONSTRICT_READ_WRITE} write removes the entry after the commit); then B's write-back arrives.
   * Both nodes read the write: the new text, or no note. Before, A's {@code DEL} left the key
   * absent, B's late write-back added the old text, and both nodes served it until its ttl (a
   * deleted note came back): no wait on A could help, the write-back was B's.
   */
  @ParameterizedTest(name = "node A's {0}")
  @ValueSource(strings = {"update", "delete"})
  void aWriteOnOneNodeRefusesTheLateWriteBackOfAnotherNodesEarlierLoad(
      String write, TestDatabase db) throws Exception {
    onTwoNodes(
        db,
        "wb-nodes",
        Note.class,
        (nodeA, nodeB, proxyOfB) -> {
          nodeA.inTransaction(session -> session.persist(new Note(1L, "old")));
          nodeA.getCache().evictEntityData(Note.class);

          loadWithOnlyItsWriteBackHeld(
              proxyOfB, () -> nodeB.inTransaction(session -> session.find(Note.class, 1L)));
          String expected;
          if (write.equals("update")) {
            nodeA.inTransaction(session -> session.find(Note.class, 1L).text = "new");
            expected = "new";
          } else {
            nodeA.inTransaction(session -> session.remove(session.find(Note.class, 1L)));
            expected = "no note";
          }

          proxyOfB.release();
          Boot.settled(nodeB);
          assertThat(textOfNote1(nodeA)).as("node A's read after its " + write).isEqualTo(expected);
          assertThat(textOfNote1(nodeB))
              .as("node B's read after node A's " + write)
              .isEqualTo(expected);
        });
  }

  /**
   * The same race for a cached collection ({@code NONSTRICT_READ_WRITE}): node B loads a notebook's
   * labels and their write-back is held on the way to Redis; node A replaces the labels and commits
   * (Hibernate removes the collection's entry after the commit); then B's write-back arrives. Both
   * nodes read the new labels. With a plain {@code DEL} for that removal (before), B's late
   * write-back added the old labels into the absent key.
   */
  @Test
  void aCollectionWriteOnOneNodeRefusesTheLateWriteBackOfAnotherNodesEarlierLoad(TestDatabase db)
      throws Exception {
    onTwoNodes(
        db,
        "wb-collections",
        Notebook.class,
        (nodeA, nodeB, proxyOfB) -> {
          nodeA.inTransaction(session -> session.persist(new Notebook(1L, "old")));
          // B caches the notebook itself first, so that the next write-back it sends is the labels'
          nodeB.inTransaction(session -> session.find(Notebook.class, 1L));
          Boot.settled(nodeB);

          loadWithOnlyItsWriteBackHeld(
              proxyOfB,
              () ->
                  nodeB.inTransaction(
                      session -> Hibernate.initialize(session.find(Notebook.class, 1L).labels)));
          nodeA.inTransaction(
              session -> {
                Notebook notebook = session.find(Notebook.class, 1L);
                notebook.labels.clear();
                notebook.labels.add("new");
              });

          proxyOfB.release();
          Boot.settled(nodeB);
          assertThat(labelsOfNotebook1(nodeA))
              .as("node A's read after its write")
              .containsOnly("new");
          assertThat(labelsOfNotebook1(nodeB))
              .as("node B's read after node A's write")
              .containsOnly("new");
        });
  }

  /**
   * The same race for a cached natural id ({@code NONSTRICT_READ_WRITE}): node B resolves the
   * handle "a" and the write-back of that resolution (a → 1) is held on the way to Redis; node A
   * deletes handle 1 (Hibernate removes its natural id's entry after the commit) and gives "a" to a
   * new handle 2; then B's write-back arrives. Both nodes resolve "a" to 2. With a plain {@code
   * DEL} for that removal (before), B's late write-back cached a → 1, and "a" resolved to the
   * deleted row: no handle.
   */
  @Test
  void aNaturalIdRemovedOnOneNodeRefusesTheLateWriteBackOfAnotherNodesEarlierLoad(TestDatabase db)
      throws Exception {
    onTwoNodes(
        db,
        "wb-natural-ids",
        Handle.class,
        (nodeA, nodeB, proxyOfB) -> {
          nodeA.inTransaction(session -> session.persist(new Handle(1L, "a")));
          // B caches the handle itself, then forgets the resolutions: the next write-back it sends
          // is the resolution of "a"
          nodeB.inTransaction(session -> session.find(Handle.class, 1L));
          Boot.settled(nodeB);
          nodeB.getCache().evictNaturalIdData(Handle.class);

          loadWithOnlyItsWriteBackHeld(proxyOfB, () -> handleNamedA(nodeB));
          nodeA.inTransaction(session -> session.remove(session.find(Handle.class, 1L)));
          nodeA.inTransaction(session -> session.persist(new Handle(2L, "a")));

          proxyOfB.release();
          Boot.settled(nodeB);
          assertThat(handleNamedA(nodeA))
              .as("node A resolves \"a\" after its writes")
              .isEqualTo(2L);
          assertThat(handleNamedA(nodeB))
              .as("node B resolves \"a\" after node A's writes")
              .isEqualTo(2L);
        });
  }

  /** The id of the handle named "a", or null if none resolves. */
  private static Long handleNamedA(SessionFactory node) {
    return node.fromTransaction(
        session -> {
          Handle handle = session.find(Handle.class, "a", KeyType.NATURAL);
          return handle == null ? null : handle.id;
        });
  }

  private static Set<String> labelsOfNotebook1(SessionFactory node) {
    return node.fromTransaction(session -> new HashSet<>(session.find(Notebook.class, 1L).labels));
  }

  /** A race between two nodes: node B's calls go through a proxy that can hold its write-back. */
  @FunctionalInterface
  private interface TwoNodeRace {
    void run(SessionFactory nodeA, SessionFactory nodeB, CountingRedisProxy proxyOfB)
        throws Exception;
  }

  /**
   * Runs {@code race} on two nodes caching {@code entity} in one Redis of the test's own: node A
   * reaches it directly and creates the schema, node B through a proxy.
   */
  private static void onTwoNodes(
      TestDatabase db, String namespace, Class<?> entity, TwoNodeRace race) throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        CountingRedisProxy proxyOfB = CountingRedisProxy.start(redis.host(), redis.port())) {
      SessionFactory nodeA = bootOn(db, redis.address(), namespace, null, entity);
      SessionFactory nodeB = bootOn(db, proxyOfB.address(), namespace, "none", entity);
      try {
        race.run(nodeA, nodeB, proxyOfB);
      } finally {
        proxyOfB.release();
        nodeB.close();
        nodeA.close();
      }
    }
  }

  /** A factory caching {@code entities} through {@code redisAddress}, in {@code namespace}. */
  private static SessionFactory bootOn(
      TestDatabase db, String redisAddress, String namespace, String ddl, Class<?>... entities) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(CoalesceSettings.REDIS_ADDRESS, redisAddress);
    settings.put(CoalesceSettings.NAMESPACE, namespace);
    if (ddl != null) {
      settings.put("hibernate.hbm2ddl.auto", ddl);
    }
    return Boot.factory(db, settings, entities);
  }

  private static String textOfNote1(SessionFactory node) {
    return node.fromTransaction(
        session -> {
          Note note = session.find(Note.class, 1L);
          return note == null ? "no note" : note.text;
        });
  }

  private static void updateNoteBehindTheCache(TestDatabase db, String text) throws SQLException {
    try (Connection connection = db.connect();
        PreparedStatement update =
            connection.prepareStatement(
                "update " + db.schema() + ".Note set text = ? where id = 1")) {
      update.setString(1, text);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }

  /**
   * Hibernate's put statistics count a write-back when Redis answers it, which is after the load
   * returned; {@code MultiGet.awaitWriteBacks} is what a test calls before reading them. Here the
   * answer is held back until after the load returned and the wait began; then held past the wait's
   * 2 s, which it reports.
   */
  @Test
  void awaitWriteBacksReturnsOnceRedisAnsweredTheLoadsWriteBacks(TestDatabase db) throws Exception {
    ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor();
    try (RedisServerProcess redis = RedisServerProcess.start();
        CountingRedisProxy proxy = CountingRedisProxy.start(redis.host(), redis.port())) {
      SessionFactory factory = boot(db, proxy);
      try {
        insertBehindTheCache(db, IDS);
        Statistics stats = factory.getStatistics();
        stats.clear();
        loadWithItsWriteBackHeld(
            proxy, () -> factory.inTransaction(session -> session.findMultiple(Post.class, IDS)));
        assertThat(stats.getSecondLevelCachePutCount()).as("puts before the answer").isZero();

        // the test's own thread: the common pool has one worker on 2 cores, which anything else
        // in this JVM may hold
        releaser.schedule(proxy::release, 300, TimeUnit.MILLISECONDS);
        assertThat(MultiGet.awaitWriteBacks(factory)).as("every write-back answered").isTrue();
        assertThat(stats.getSecondLevelCachePutCount()).as("puts once answered").isEqualTo(N);

        factory.getCache().evictEntityData(Post.class);
        loadWithItsWriteBackHeld(
            proxy, () -> factory.inTransaction(session -> session.findMultiple(Post.class, IDS)));
        assertThat(MultiGet.awaitWriteBacks(factory))
            .as("every write-back answered, with one held past the wait")
            .isFalse();
      } finally {
        proxy.release();
        factory.close();
      }
    } finally {
      releaser.shutdownNow();
    }
  }
}
