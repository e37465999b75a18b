package dev.coalesce.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.access.EntityDataAccess;
import org.hibernate.cache.spi.access.SoftLock;
import org.hibernate.cache.spi.support.DomainDataRegionTemplate;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.EntityPersister;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A direct read of a READ_WRITE region's storage (Hibernate's {@code DomainDataRegion} storage
 * access, as diagnostics and SPI users call it) leaves items and writers' locks alone: it reads
 * null and deletes nothing. Only an entry of an unknown format is deleted. It deleted any entry
 * that was not a plain value, a writer's lock included, which let a put-from-load into the key the
 * lock guarded. On Redis and on the local store.
 */
@RealServices
class StorageReadTest {

  static TestDatabase db;
  static TestRedis redis;

  @BeforeAll
  static void services(TestDatabase database, TestRedis testRedis) {
    db = database;
    redis = testRedis;
  }

  static SessionFactory boot(String store) {
    return Boot.onStore(store, db, redis, Map.of(), Post.class, Author.class);
  }

  static DomainDataStorageAccess storage(SessionFactory factory) {
    return ((DomainDataRegionTemplate)
            implementor(factory).getCache().getRegion(Post.class.getName()))
        .getCacheStorageAccess();
  }

  static SessionFactoryImplementor implementor(SessionFactory factory) {
    return factory.unwrap(SessionFactoryImplementor.class);
  }

  static EntityPersister persister(SessionFactory factory) {
    return implementor(factory).getMappingMetamodel().getEntityDescriptor(Post.class);
  }

  static Object cacheKey(SessionFactory factory, long id) {
    EntityPersister persister = persister(factory);
    return persister
        .getCacheAccessStrategy()
        .generateCacheKey(id, persister, implementor(factory), null);
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void aStorageReadOfAnItemReadsNullAndLeavesIt(String store) {
    try (SessionFactory factory = boot(store)) {
      factory.inTransaction(session -> session.persist(new Post(1L, "one")));
      Object key = cacheKey(factory, 1L);
      Object read =
          factory.fromTransaction(
              session ->
                  storage(factory)
                      .getFromCache(key, session.unwrap(SharedSessionContractImplementor.class)));
      assertThat(read).isNull();

      factory.getStatistics().clear();
      factory.inTransaction(session -> session.find(Post.class, 1L));
      assertThat(factory.getStatistics().getSecondLevelCacheHitCount())
          .as("the item is still cached")
          .isEqualTo(1);
      assertThat(factory.getStatistics().getPrepareStatementCount()).isZero();
    }
  }

  @ParameterizedTest(name = "{0} store")
  @ValueSource(strings = {"redis", "local"})
  void aStorageReadOfALockReadsNullAndTheLockStillGuardsTheKey(String store) {
    try (SessionFactory factory = boot(store)) {
      factory.inTransaction(session -> session.persist(new Post(2L, "two")));
      Object key = cacheKey(factory, 2L);
      EntityDataAccess access = persister(factory).getCacheAccessStrategy();
      factory.inTransaction(
          session -> {
            SharedSessionContractImplementor s =
                session.unwrap(SharedSessionContractImplementor.class);
            Object entry = access.get(s, key);
            assertThat(entry).as("cached by the insert").isNotNull();
            SoftLock lock = access.lockItem(s, key, 0);
            try {
              assertThat(storage(factory).getFromCache(key, s)).isNull();
              // the lock is still there: a load cannot put a value into the key it guards
              assertThat(access.putFromLoad(s, key, entry, 0)).isFalse();
              assertThat(access.get(s, key)).isNull();
            } finally {
              access.unlockItem(s, key, lock);
            }
          });
    }
  }

  @Test
  void aStorageReadOfAnEntryOfAnUnknownFormatDeletesIt() {
    try (SessionFactory factory = boot("redis")) {
      factory.inTransaction(session -> session.persist(new Post(3L, "three")));
      List<String> keys =
          redis.keys().stream()
              .filter(k -> k.contains(Post.class.getName() + ":") && k.endsWith(":3"))
              .toList();
      assertThat(keys).hasSize(1);
      String redisKey = keys.get(0);
      redis.command("SET", redisKey, "9Zsomething else");
      Object key = cacheKey(factory, 3L);
      Object read =
          factory.fromTransaction(
              session ->
                  storage(factory)
                      .getFromCache(key, session.unwrap(SharedSessionContractImplementor.class)));
      assertThat(read).isNull();
      assertThat(redis.command("EXISTS", redisKey)).isEqualTo(0L);
    }
  }
}
