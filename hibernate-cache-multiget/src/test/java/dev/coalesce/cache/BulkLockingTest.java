package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.redis.CoalesceSettings;
import dev.coalesce.redis.internal.BulkCacheLocking;
import dev.coalesce.testing.CountingRedisProxy;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.RedisServerProcess;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedisClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.redisson.api.RedissonClient;

/**
 * {@link BulkCacheLocking} (what hibernate-buffer's flush uses to lock the rows it updates) on
 * every entity access type, counted on the wire by a proxy in front of a redis-server of this
 * test's own: 100 keys are locked in one round trip and unlocked in one, with the per-key calls'
 * rules.
 */
@RealServices
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BulkLockingTest {

  static final int N = 100;
  static RedisServerProcess redis;
  static CountingRedisProxy proxy;
  static RedissonClient client;
  static SessionFactory factory;
  static SessionFactoryImplementor sfi;
  final List<Session> sessions = new ArrayList<>();

  @BeforeAll
  static void boot(TestDatabase db) {
    redis = RedisServerProcess.start();
    proxy = CountingRedisProxy.start(redis.host(), redis.port());
    // no PINGs among the counted round trips, and a timeout a loaded machine does not reach
    client = TestRedisClients.failingAfter(proxy.address(), Duration.ofSeconds(2));
    factory =
        Boot.factory(
            db,
            Map.of(CoalesceSettings.REDIS_CLIENT, client, CoalesceSettings.NAMESPACE, "bulk"),
            Counter.class,
            Note.class,
            Country.class);
    sfi = factory.unwrap(SessionFactoryImplementor.class);
  }

  @AfterEach
  void closeSessions() {
    sessions.forEach(Session::close);
    sessions.clear();
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.close();
    }
    if (client != null) {
      client.shutdown();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** A new session: its caching timestamp is taken now, as a transaction's would be. */
  SharedSessionContractImplementor begin() {
    Session session = factory.openSession();
    sessions.add(session);
    return (SharedSessionContractImplementor) session;
  }

  static EntityPersister persister(Class<?> entity) {
    return sfi.getMappingMetamodel().getEntityDescriptor(entity);
  }

  static List<Object> keys(Class<?> entity, List<?> ids) {
    EntityPersister persister = persister(entity);
    EntityDataAccess access = persister.getCacheAccessStrategy();
    return ids.stream()
        .<Object>map(id -> access.generateCacheKey(id, persister, sfi, null))
        .toList();
  }

  static List<Long> ids(long from) {
    return LongStream.range(from, from + N).boxed().toList();
  }

  void cacheAll(EntityDataAccess access, List<Object> keys, String value) {
    for (Object key : keys) {
      assertThat(access.putFromLoad(begin(), key, value, 1)).isTrue();
    }
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> keys.stream().allMatch(key -> value.equals(access.get(begin(), key))));
  }

  @Test
  void readWriteLocksAndUnlocksAHundredKeysInOneRoundTripEach() {
    EntityDataAccess access = persister(Counter.class).getCacheAccessStrategy();
    assertThat(access).isInstanceOf(BulkCacheLocking.class);
    BulkCacheLocking bulk = (BulkCacheLocking) access;
    List<Object> keys = keys(Counter.class, ids(1));
    cacheAll(access, keys, "v1");

    // Another writer (per-key) already holds the first entry's lock: the bulk lock joins it.
    var other = begin();
    SoftLock otherLock = access.lockItem(other, keys.get(0), 1);

    // The first pipeline of scripts after a Redis server starts loads the script (SCRIPT LOAD).
    List<Object> warmUp = keys(Counter.class, List.of(-2L));
    bulk.unlockItems(begin(), warmUp, bulk.lockItems(begin(), warmUp));

    var writer = begin();
    proxy.reset();
    List<SoftLock> locks = bulk.lockItems(writer, keys);
    int lockTrips = proxy.roundTripCount();
    int lockCommands = proxy.commandCount();
    assertThat(locks).hasSize(N).doesNotContainNull();
    assertThat(lockTrips).as("round trips to lock %d keys: %s", N, proxy.roundTrips()).isEqualTo(1);
    assertThat(lockCommands).isEqualTo(N);
    assertThat(proxy.roundTrips().get(0).commands()).containsOnly("EVALSHA");

    for (Object key : keys) {
      assertThat(access.get(begin(), key)).as("a locked entry is a miss").isNull();
      assertThat(access.putFromLoad(begin(), key, "v1", 1))
          .as("no put-from-load into a held lock")
          .isFalse();
    }

    access.unlockItem(other, keys.get(0), otherLock);
    var startedBeforeTheUnlock = begin();

    proxy.reset();
    bulk.unlockItems(writer, keys, locks);
    int unlockTrips = proxy.roundTripCount();
    int unlockCommands = proxy.commandCount();
    assertThat(unlockTrips)
        .as("round trips to unlock %d keys: %s", N, proxy.roundTrips())
        .isEqualTo(1);
    assertThat(unlockCommands).isEqualTo(N);
    System.out.printf(
        "[bulk locking] READ_WRITE, %d keys: lock %d round trip(s), %d commands; unlock %d round"
            + " trip(s), %d commands%n",
        N, lockTrips, lockCommands, unlockTrips, unlockCommands);

    for (Object key : keys) {
      assertThat(access.get(begin(), key)).as("unlocking does not bring a value back").isNull();
      assertThat(access.putFromLoad(startedBeforeTheUnlock, key, "v1", 1))
          .as("a put-from-load from a transaction that started before the unlock is refused")
          .isFalse();
    }
    // A transaction that starts after the unlock reads the new row and may cache it.
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> access.putFromLoad(begin(), keys.get(0), "v2", 2));
    for (Object key : keys.subList(1, N)) {
      assertThat(access.putFromLoad(begin(), key, "v2", 2)).isTrue();
    }
    assertThat(access.get(begin(), keys.get(N - 1))).isEqualTo("v2");
  }

  @Test
  void nonstrictUnlockDeletesAHundredEntriesInOneRoundTrip() {
    deletesAHundredEntriesInOneRoundTrip(Note.class, ids(1), "NONSTRICT_READ_WRITE");
  }

  @Test
  void readOnlyUnlockEvictsAHundredEntriesInOneRoundTrip() {
    List<String> codes = LongStream.range(0, N).mapToObj(i -> "c" + i).toList();
    deletesAHundredEntriesInOneRoundTrip(Country.class, codes, "READ_ONLY");
  }

  void deletesAHundredEntriesInOneRoundTrip(Class<?> entity, List<?> ids, String accessType) {
    EntityDataAccess access = persister(entity).getCacheAccessStrategy();
    assertThat(access.getAccessType().name()).isEqualTo(accessType);
    assertThat(access).isInstanceOf(BulkCacheLocking.class);
    BulkCacheLocking bulk = (BulkCacheLocking) access;
    List<Object> keys = keys(entity, ids);
    cacheAll(access, keys, "cached");

    var writer = begin();
    proxy.reset();
    List<SoftLock> locks = bulk.lockItems(writer, keys);
    int lockTrips = proxy.roundTripCount();
    assertThat(locks).hasSize(N);
    assertThat(lockTrips).as("%s takes no locks", accessType).isZero();

    proxy.reset();
    bulk.unlockItems(writer, keys, locks);
    int unlockTrips = proxy.roundTripCount();
    assertThat(unlockTrips)
        .as("round trips to unlock %d keys: %s", N, proxy.roundTrips())
        .isEqualTo(1);
    System.out.printf(
        "[bulk locking] %s, %d keys: lock %d round trips; unlock %d round trip(s), wire %s%n",
        accessType, N, lockTrips, unlockTrips, proxy.roundTrips());
    for (Object key : keys) {
      assertThat(access.contains(key)).as("the entry is gone from Redis").isFalse();
      assertThat(access.get(begin(), key)).isNull();
    }
  }

  @Test
  @Order(Integer.MAX_VALUE) // reconnecting clients would add round trips to the other tests' counts
  void anUnlockThatCouldNotBeSentIsResentBeforeReadsResume() {
    EntityDataAccess access = persister(Counter.class).getCacheAccessStrategy();
    BulkCacheLocking bulk = (BulkCacheLocking) access;
    List<Object> keys = keys(Counter.class, ids(1_001));
    cacheAll(access, keys, "v1");
    Object probe = keys(Counter.class, List.of(-1L)).get(0);
    cacheAll(access, List.of(probe), "probe");

    proxy.block();
    try {
      var writer = begin();
      List<SoftLock> locks = bulk.lockItems(writer, keys);
      assertThat(locks).hasSize(N);
      // the rows are updated in the database now; then the unlock cannot reach Redis either
      bulk.unlockItems(writer, keys, locks);
    } finally {
      proxy.unblock();
    }
    // Once Redis answers again, the old values must not be served.
    await().atMost(Duration.ofSeconds(10)).until(() -> "probe".equals(access.get(begin(), probe)));
    for (Object key : keys) {
      assertThat(access.get(begin(), key))
          .as("an entry unlocked during the outage is not served from before it")
          .isNull();
    }
  }
}
