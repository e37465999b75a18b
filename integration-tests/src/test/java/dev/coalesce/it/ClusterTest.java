package dev.coalesce.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.CounterBuffer;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisCluster;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.Resp;
import dev.coalesce.testing.TestDatabase;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, items 2 and 3: both modules on a Redis Cluster of three masters, configured through a
 * Redisson YAML. Counters land exactly once and cached entities are read back; the buffer's
 * partitions and the cache's entries spread over every master, while every key of one partition
 * shares one slot (its hash tag), so each script runs on one node. Read from the masters themselves
 * ({@code SCAN} per master, {@code CLUSTER KEYSLOT}).
 */
@RealServices
class ClusterTest {

  private static final int ROWS = 300;

  @Test
  void bothModulesSpreadOverEveryMasterAndStayExact(TestDatabase db) {
    try (RedisCluster cluster = RedisCluster.start(3)) {
      Map<String, Object> settings = db.hibernateProperties();
      settings.put(BufferSettings.REDIS_CONFIG, cluster.redissonYaml().toString());
      settings.put(BufferSettings.NAMESPACE, "spread");
      settings.put(BufferSettings.FLUSH_INTERVAL, "1h");
      settings.put("hibernate.cache.use_second_level_cache", "true");
      settings.put("hibernate.cache.region.factory_class", "multiget");
      EntityManagerFactory factory =
          new HibernatePersistenceConfiguration("cluster")
              .managedClasses(Article.class)
              .properties(settings)
              .createEntityManagerFactory();
      try {
        CounterBuffer buffer = CounterBuffer.of(factory);
        factory.runInTransaction(
            em -> {
              for (long id = 1; id <= ROWS; id++) {
                em.persist(new Article(id, "article " + id));
              }
            });
        factory.runInTransaction(
            em -> {
              for (long id = 1; id <= ROWS; id++) {
                buffer.increment(em, Article.class, id, "views", id);
              }
            });
        // the deltas wait in Redis: where are their partitions?
        Map<Integer, Set<String>> liveKeysByMaster = keysByMaster(cluster, "spread:buf:*:live");
        // load every article once: the cache holds them
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= ROWS; id++) {
          ids.add(id);
        }
        factory.runInTransaction(
            em -> em.unwrap(org.hibernate.Session.class).findMultiple(Article.class, ids).size());
        Map<Integer, Set<String>> entriesByMaster = keysByMaster(cluster, "spread:c:*");

        buffer.flush();
        long views =
            factory.callInTransaction(
                em ->
                    ((Number)
                            em.createNativeQuery("select sum(views) from article")
                                .getSingleResult())
                        .longValue());
        System.out.printf(
            "ClusterTest: buffer live hashes per master %s, cache entries per master %s,"
                + " views %d%n",
            counts(liveKeysByMaster), counts(entriesByMaster), views);
        assertThat(views).isEqualTo((long) ROWS * (ROWS + 1) / 2);
        assertThat(liveKeysByMaster.values())
            .as("buffer partitions on every master")
            .allSatisfy(keys -> assertThat(keys).isNotEmpty());
        assertThat(entriesByMaster.values())
            .as("cache entries on every master")
            .allSatisfy(keys -> assertThat(keys).hasSizeGreaterThan(ROWS / 10));
        assertOnePartitionOneSlot(cluster);
      } finally {
        factory.close();
      }
    }
  }

  /** Every key of one buffer partition (live, in flight, sequence, epoch...) is in one slot. */
  private static void assertOnePartitionOneSlot(RedisCluster cluster) {
    RedisServerProcess any = cluster.masters().get(0);
    try (Resp resp = new Resp(any.host(), any.port())) {
      for (int partition = 0; partition < BufferSettings.DEFAULT_PARTITIONS; partition++) {
        Set<Object> slots = new HashSet<>();
        for (String suffix : List.of("live", "inflight", "seq", "since", "epoch", "node:x")) {
          slots.add(
              resp.command("CLUSTER", "KEYSLOT", "spread:buf:{p" + partition + "}:" + suffix));
        }
        assertThat(slots).as("slots of partition %d", partition).hasSize(1);
      }
    }
  }

  private static Map<Integer, Set<String>> keysByMaster(RedisCluster cluster, String pattern) {
    Map<Integer, Set<String>> keys = new HashMap<>();
    for (RedisServerProcess master : cluster.masters()) {
      try (Resp resp = new Resp(master.host(), master.port())) {
        keys.put(master.port(), new HashSet<>(resp.scan(pattern)));
      }
    }
    return keys;
  }

  private static Map<Integer, Integer> counts(Map<Integer, Set<String>> keys) {
    Map<Integer, Integer> counts = new HashMap<>();
    keys.forEach((port, set) -> counts.put(port, set.size()));
    return counts;
  }
}
