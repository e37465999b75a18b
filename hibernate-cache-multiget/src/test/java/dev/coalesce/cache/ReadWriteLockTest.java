package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stale put-from-load of docs/design.md section 8, step by step through Hibernate's own cache
 * interface, on the Redis store and on the local one: two writers lock one entry, the first commits
 * and leaves, a reader starts and loads the first writer's value, the second writer commits and
 * leaves; the reader's put-from-load must be refused.
 */
@RealServices
class ReadWriteLockTest {

  private final TestDatabase db;
  private final TestRedis redis;
  private SessionFactory factory;

  ReadWriteLockTest(TestDatabase db, TestRedis redis) {
    this.db = db;
    this.redis = redis;
  }

  @AfterEach
  void close() {
    sessions.forEach(Session::close);
    if (factory != null) {
      factory.close();
    }
  }

  private final List<Session> sessions = new ArrayList<>();

  /** A new session: its caching timestamp is taken now, as a transaction's would be. */
  private SharedSessionContractImplementor begin() {
    Session session = factory.openSession();
    sessions.add(session);
    return (SharedSessionContractImplementor) session;
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis", "local"})
  void aPutFromLoadThatStartedBeforeTheLastWriterLeftIsRefused(String store) {
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put(CacheSettings.STORE, store);
    factory = Boot.factory(db, settings, Counter.class);
    var sfi = factory.unwrap(SessionFactoryImplementor.class);
    EntityPersister persister = sfi.getMappingMetamodel().getEntityDescriptor(Counter.class);
    EntityDataAccess access = persister.getCacheAccessStrategy();
    Object key = access.generateCacheKey(1L, persister, sfi, null);

    var seed = begin();
    assertThat(access.putFromLoad(seed, key, "v19", 19)).isTrue();
    await().atMost(Duration.ofSeconds(2)).until(() -> "v19".equals(access.get(begin(), key)));

    var writerA = begin();
    var writerB = begin();
    SoftLock lockA = access.lockItem(writerA, key, 19);
    SoftLock lockB = access.lockItem(writerB, key, 19);
    // A commits v20 and leaves; B still holds the lock, so A's value is not cached
    assertThat(access.afterUpdate(writerA, key, "v20", 20, 19, lockA)).isFalse();

    var reader = begin();
    assertThat(access.get(reader, key)).as("a locked entry is a miss").isNull();
    // the reader loads v20 from the database now; then B commits v21 and leaves
    assertThat(access.afterUpdate(writerB, key, "v21", 21, 19, lockB)).isFalse();

    assertThat(access.putFromLoad(reader, key, "v20", 20))
        .as("the reader started before the last writer left: its v20 is stale")
        .isFalse();
    assertThat(access.get(begin(), key)).isNull();

    // A transaction that starts after the last writer left reads v21 and may cache it.
    await().atMost(Duration.ofSeconds(2)).until(() -> access.putFromLoad(begin(), key, "v21", 21));
    await().atMost(Duration.ofSeconds(2)).until(() -> "v21".equals(access.get(begin(), key)));
    assertThat(access.putFromLoad(begin(), key, "v20", 20))
        .as("an older version never replaces a newer one")
        .isFalse();
    assertThat(access.get(begin(), key)).isEqualTo("v21");
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis", "local"})
  void aLoneWriterCachesItsValueAndARollbackLeavesNoValue(String store) {
    Map<String, Object> settings = new HashMap<>(redis.hibernateProperties());
    settings.put(CacheSettings.STORE, store);
    factory = Boot.factory(db, settings, Counter.class);
    var sfi = factory.unwrap(SessionFactoryImplementor.class);
    EntityPersister persister = sfi.getMappingMetamodel().getEntityDescriptor(Counter.class);
    EntityDataAccess access = persister.getCacheAccessStrategy();
    Object key = access.generateCacheKey(2L, persister, sfi, null);

    var writer = begin();
    SoftLock lock = access.lockItem(writer, key, 1);
    var reader = begin();
    assertThat(access.putFromLoad(reader, key, "v1", 1))
        .as("no put-from-load into a held lock")
        .isFalse();
    assertThat(access.afterUpdate(writer, key, "v2", 2, 1, lock)).isTrue();
    await().atMost(Duration.ofSeconds(2)).until(() -> "v2".equals(access.get(begin(), key)));

    var rollingBack = begin();
    SoftLock second = access.lockItem(rollingBack, key, 2);
    assertThat(access.get(begin(), key)).isNull();
    access.unlockItem(rollingBack, key, second);
    assertThat(access.get(begin(), key)).as("unlocking does not bring a value back").isNull();
  }

  @Test
  void aValueThatCannotBeEncodedIsNotCachedAndReleasesTheLock() {
    factory = Boot.factory(db, redis.hibernateProperties(), Counter.class);
    var sfi = factory.unwrap(SessionFactoryImplementor.class);
    EntityPersister persister = sfi.getMappingMetamodel().getEntityDescriptor(Counter.class);
    EntityDataAccess access = persister.getCacheAccessStrategy();
    Object key = access.generateCacheKey(3L, persister, sfi, null);
    Object notSerializable = new Object();

    assertThat(access.putFromLoad(begin(), key, notSerializable, 1)).isFalse();
    var writer = begin();
    SoftLock lock = access.lockItem(writer, key, 1);
    assertThat(access.afterUpdate(writer, key, notSerializable, 2, 1, lock)).isFalse();
    // the lock is released: a later transaction can cache a value again
    await().atMost(Duration.ofSeconds(2)).until(() -> access.putFromLoad(begin(), key, "v2", 2));
  }
}
