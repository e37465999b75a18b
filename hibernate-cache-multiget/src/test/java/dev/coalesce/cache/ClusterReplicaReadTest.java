package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisCluster;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.Resp;
import dev.coalesce.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.api.RedissonClient;

/**
 * A Redis Cluster of three masters with a replica each, read through a client that reads from
 * replicas (Redisson's default): the cache's multi-gets (one per hash slot), single reads and clock
 * readings all go to the masters; the replicas' own command statistics show none of them.
 */
@RealServices
class ClusterReplicaReadTest {

  static final int ROWS = 60;
  static final Pattern CALLS = Pattern.compile("cmdstat_(\\w+):calls=(\\d+)");
  static final List<String> READS = List.of("get", "mget", "exists", "evalsha", "evalsha_ro");

  static RedisCluster cluster;
  static RedissonClient client;
  static SessionFactory node;

  @BeforeAll
  static void boot(TestDatabase db) {
    cluster = RedisCluster.start(3, 1);
    client = cluster.client();
    node =
        Boot.factory(
            db,
            Map.of(CoalesceSettings.REDIS_CLIENT, client, CoalesceSettings.NAMESPACE, "cluster"),
            Counter.class);
    node.inTransaction(
        session -> LongStream.rangeClosed(1, ROWS).forEach(id -> session.persist(new Counter(id))));
  }

  @AfterAll
  static void close() {
    if (node != null) {
      node.close();
    }
    if (client != null) {
      client.shutdown();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyCacheReadGoesToAMaster() {
    List<Long> ids = LongStream.rangeClosed(1, ROWS).boxed().toList();
    // setup: read until the warm multi-get hits every row (CI once counted 0 hits here)
    List<Counter> warm = Boot.warmUntilEveryRowHits(node, Counter.class, ids, "cluster replicas");
    node.inTransaction(session -> session.find(Counter.class, 1L).value = 7);
    long seven = node.fromTransaction(session -> session.find(Counter.class, 1L).value);

    long hits = node.getStatistics().getSecondLevelCacheHitCount();
    List<String> onReplicas = new ArrayList<>();
    for (RedisServerProcess replica : cluster.replicas()) {
      onReplicas.addAll(readsServed(replica));
    }
    System.out.printf(
        "[cluster replicas] %d rows over 3 masters: %d cache hits, reads served by replicas: %s%n",
        ROWS, hits, onReplicas);
    assertThat(warm).hasSize(ROWS);
    assertThat(seven).isEqualTo(7);
    // the update's own find hits, and so may the read after it (if it started after the update's
    // entry was stamped by a margin larger than the clock's uncertainty)
    assertThat(hits)
        .as("the warm multi-get and the update's read hit (" + Boot.cacheState(node) + ")")
        .isGreaterThan(ROWS);
    assertThat(cluster.replicas()).hasSize(3);
    assertThat(onReplicas).as("cache reads the replicas served").isEmpty();
  }

  /** The read commands a node served, from its own command statistics. */
  static List<String> readsServed(RedisServerProcess server) {
    try (Resp resp = new Resp(server.host(), server.port())) {
      Matcher matcher = CALLS.matcher((String) resp.command("INFO", "commandstats"));
      List<String> served = new ArrayList<>();
      while (matcher.find()) {
        if (READS.contains(matcher.group(1))) {
          served.add(matcher.group(1) + " x" + matcher.group(2) + " on " + server.address());
        }
      }
      return served;
    }
  }
}
