package dev.coalesce.cache;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisCluster;
import dev.coalesce.testing.TestDatabase;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.LongStream;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link TwoNodeConsistencyTest}'s writers and readers on a Redis Cluster of three masters with a
 * replica each, both nodes configured by the cluster's Redisson YAML (reading from replicas, as
 * Redisson does by default) and with {@code wait_replicas=1}: entries spread over the masters, the
 * multi-gets go out per master, every lock waits for its master's replica, and no reader that
 * starts after a commit sees an older value. On PostgreSQL.
 */
@RealServices
class ClusterConsistencyTest {

  static RedisCluster cluster;
  static SessionFactory nodeA;
  static SessionFactory nodeB;

  @BeforeAll
  static void boot(TestDatabase db) {
    cluster = RedisCluster.start(3, 1);
    Map<String, Object> settings = new HashMap<>();
    settings.put(CoalesceSettings.REDIS_CONFIG, cluster.redissonYaml().toString());
    settings.put(CoalesceSettings.NAMESPACE, "cluster-consistency");
    settings.put(CacheSettings.WAIT_REPLICAS, "1");
    nodeA = Boot.factory(db, settings, Counter.class, VersionedCounter.class);
    settings.put("hibernate.hbm2ddl.auto", "none");
    nodeB = Boot.factory(db, settings, Counter.class, VersionedCounter.class);
    nodeA.inTransaction(
        session ->
            LongStream.rangeClosed(1, TwoNodeConsistencyTest.ROWS)
                .forEach(
                    id -> {
                      session.persist(new Counter(id));
                      session.persist(new VersionedCounter(id));
                    }));
  }

  @AfterAll
  static void close() {
    if (nodeB != null) {
      nodeB.close();
    }
    if (nodeA != null) {
      nodeA.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest
  @EnumSource(TwoNodeConsistencyTest.Writers.class)
  void noReaderThatStartsAfterACommitSeesAnOlderValue(TwoNodeConsistencyTest.Writers writers)
      throws Exception {
    TwoNodeConsistencyTest.runAndCheck("Redis Cluster 3+3", writers, nodeA, nodeB);
  }
}
