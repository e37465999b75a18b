package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisReplicaPair;
import dev.coalesce.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * A Redis primary with a replica that lags (its replication stream frozen) while it keeps answering
 * reads, and two nodes whose Redisson clients use both, reading from the replica as Redisson does
 * by default ({@code ReadMode.SLAVE}). Node A updates rows while node B reads them: no read that
 * starts after a commit sees an older value, and no cache read or clock reading reaches the replica
 * (it counts what it receives).
 */
@RealServices
class ReplicaReadTest {

  static final int ROWS = 10;
  static final int ROUNDS = 60;

  /**
   * What the cache sends: its scripts go as {@code EVALSHA} first (a plain {@code EVAL} follows
   * only a {@code NOSCRIPT}); Redisson itself sends one {@code EVAL} of two GETs to every node it
   * connects to (a feature probe), which is not counted.
   */
  static final Set<String> DATA_COMMANDS =
      Set.of("GET", "MGET", "EXISTS", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "TIME");

  static RedisReplicaPair redis;
  static CountingRedisProxy replicaTraffic;
  static TwoNodes nodes;
  static SessionFactory nodeA;
  static SessionFactory nodeB;

  @BeforeAll
  static void boot(TestDatabase db) {
    redis = RedisReplicaPair.start();
    replicaTraffic = CountingRedisProxy.start(redis.replica().host(), redis.replica().port());
    nodes = new TwoNodes(db, ReplicaReadTest::client, "replicas", Map.of(), Counter.class);
    nodeA = nodes.nodeA;
    nodeB = nodes.nodeB;
    nodeA.inTransaction(
        session -> LongStream.rangeClosed(1, ROWS).forEach(id -> session.persist(new Counter(id))));
  }

  /** A node's own client: master and replica, reads from the replica (Redisson's default). */
  static RedissonClient client() {
    Config config = new Config();
    config
        .useMasterSlaveServers()
        .setMasterAddress(redis.primary().address())
        .addSlaveAddress(replicaTraffic.address());
    return Redisson.create(config);
  }

  @AfterAll
  static void close() {
    if (nodes != null) {
      nodes.close();
    }
    if (replicaTraffic != null) {
      replicaTraffic.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void aLaggingReplicaNeverServesAnEntryTheMasterReplaced() {
    long seed = Long.getLong("coalesce.seed", System.nanoTime());
    Random random = new Random(seed);
    List<Long> ids = LongStream.rangeClosed(1, ROWS).boxed().toList();
    // Both nodes cache every row; the replica receives the entries (setup: each node reads until
    // its multi-get hits every row, see Boot.warmUntilEveryRowHits).
    Boot.warmUntilEveryRowHits(nodeA, Counter.class, ids, "replicas, node A");
    Boot.warmUntilEveryRowHits(nodeB, Counter.class, ids, "replicas, node B");
    redis.awaitInSync();
    nodeA.getStatistics().clear();
    nodeB.getStatistics().clear();

    redis.freezeReplication();
    long[] committed = new long[ROWS + 1];
    List<String> stale = new ArrayList<>();
    int reads = 0;
    for (int round = 0; round < ROUNDS; round++) {
      long id = 1 + random.nextInt(ROWS);
      long value =
          nodeA.fromTransaction(
              session -> {
                Counter counter = session.find(Counter.class, id);
                return ++counter.value;
              });
      committed[(int) id] = value;
      // B reads right after the commit, one row or all of them, as any reader would.
      List<Counter> seen =
          random.nextBoolean()
              ? nodeB.fromTransaction(session -> List.of(session.find(Counter.class, id)))
              : nodeB.fromTransaction(session -> session.findMultiple(Counter.class, ids));
      for (Counter counter : seen) {
        reads++;
        if (counter.value < committed[counter.id.intValue()]) {
          stale.add(
              "round "
                  + round
                  + ": node B read counter "
                  + counter.id
                  + " = "
                  + counter.value
                  + " after "
                  + committed[counter.id.intValue()]
                  + " was committed");
        }
      }
    }
    long lag = redis.lagBytes();
    long hits = nodeB.getStatistics().getSecondLevelCacheHitCount();
    List<String> onReplica =
        replicaTraffic.roundTrips().stream()
            .flatMap(trip -> trip.commands().stream())
            .filter(DATA_COMMANDS::contains)
            .toList();
    String during = redis.describe() + "; " + nodes.state();
    redis.resumeReplication();
    System.out.printf(
        "[replicas] seed %d: %d updates on node A, %d reads on node B, %d stale, %d cache hits on"
            + " B, replica %d bytes behind, %d cache commands sent to the replica%n",
        seed, ROUNDS, reads, stale.size(), hits, lag, onReplica.size());
    assertThat(lag).as("the replica lagged during the run (" + during + ")").isPositive();
    assertThat(stale).as("stale reads (seed " + seed + ")").isEmpty();
    assertThat(onReplica).as("cache reads and clock readings sent to the replica").isEmpty();
    assertThat(hits).as("node B was served by the cache").isPositive();
  }
}
