package dev.coalesce.cache;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisCluster;
import dev.coalesce.testing.RedisSentinelSetup;
import dev.coalesce.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TwoNodeConsistencyTest}'s writers and readers on the two replicated topologies users run,
 * both nodes configured by the topology's Redisson YAML (reading from replicas, as Redisson does by
 * default) and with {@code wait_replicas=1}: a Redis Cluster of three masters with a replica each
 * (entries spread over the masters, multi-gets per master) and a primary with a replica under three
 * Sentinels. No reader that starts after a commit sees an older value. On PostgreSQL.
 */
@RealServices
class TopologyConsistencyTest {

  /** A started topology, its two nodes, and how to stop it. */
  private record Nodes(SessionFactory nodeA, SessionFactory nodeB, AutoCloseable topology) {}

  private static final Map<String, Nodes> STARTED = new HashMap<>();

  static Stream<Arguments> topologiesAndWriters() {
    List<Arguments> all = new ArrayList<>();
    for (String topology : List.of("Redis Cluster 3+3", "Sentinel")) {
      for (TwoNodeConsistencyTest.Writers writers : TwoNodeConsistencyTest.Writers.values()) {
        all.add(Arguments.of(topology, writers));
      }
    }
    return all.stream();
  }

  private static synchronized Nodes nodes(String topology, TestDatabase db) {
    return STARTED.computeIfAbsent(
        topology,
        name -> {
          Path yaml;
          AutoCloseable running;
          if (name.startsWith("Redis Cluster")) {
            RedisCluster cluster = RedisCluster.start(3, 1);
            yaml = cluster.redissonYaml();
            running = cluster;
          } else {
            RedisSentinelSetup sentinel = RedisSentinelSetup.start();
            yaml = sentinel.redissonYaml();
            running = sentinel;
          }
          Map<String, Object> settings = new HashMap<>();
          settings.put(CoalesceSettings.REDIS_CONFIG, yaml.toString());
          settings.put(CoalesceSettings.NAMESPACE, "topology-consistency");
          settings.put(CacheSettings.WAIT_REPLICAS, "1");
          // 6 threads and the servers share 2 cores: a replica's acknowledgement may take longer
          // than the default 1 s, and nothing here stops one
          settings.put(CacheSettings.WAIT_REPLICAS_TIMEOUT, "5s");
          // each topology recreates the tables: its cache starts empty too
          settings.put("hibernate.hbm2ddl.auto", "create");
          SessionFactory nodeA = Boot.factory(db, settings, Counter.class, VersionedCounter.class);
          settings.put("hibernate.hbm2ddl.auto", "none");
          SessionFactory nodeB = Boot.factory(db, settings, Counter.class, VersionedCounter.class);
          nodeA.inTransaction(
              session ->
                  LongStream.rangeClosed(1, TwoNodeConsistencyTest.ROWS)
                      .forEach(
                          id -> {
                            session.persist(new Counter(id));
                            session.persist(new VersionedCounter(id));
                          }));
          return new Nodes(nodeA, nodeB, running);
        });
  }

  @AfterAll
  static void close() throws Exception {
    for (Nodes nodes : STARTED.values()) {
      nodes.nodeB().close();
      nodes.nodeA().close();
      nodes.topology().close();
    }
    STARTED.clear();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("topologiesAndWriters")
  void noReaderThatStartsAfterACommitSeesAnOlderValue(
      String topology, TwoNodeConsistencyTest.Writers writers, TestDatabase db) throws Exception {
    Nodes nodes = nodes(topology, db);
    TwoNodeConsistencyTest.runAndCheck(topology, writers, nodes.nodeA(), nodes.nodeB());
  }
}
