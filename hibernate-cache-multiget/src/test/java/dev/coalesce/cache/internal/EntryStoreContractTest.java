package dev.coalesce.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.redis.internal.RedisClock;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestRedis;
import dev.coalesce.testing.TestRedisClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.LongCodec;

/**
 * One contract for both entry stores: every case runs on {@link RedisEntryStore} ({@code entry.lua}
 * on a real Redis) and on {@link LocalEntryStore}, with the same expected answers, so a READ_WRITE
 * rule changed in one of them fails here until the other follows.
 *
 * <p>Time: the local store runs on a clock of this test that moves one microsecond per reading (as
 * real time moves between two steps) and jumps on {@link #advance}. The Redis store stamps with
 * Redis {@code TIME}; its {@code nowMicros()} here reads {@code TIME} too, so a time taken between
 * two steps lies between their stamps, and {@link #advance} waits until Redis time has moved on.
 * Boundaries ("at or before the clear") are tested with the exact times read back from the records.
 */
@RealServices
@ParameterizedClass(name = "{0}")
@MethodSource("stores")
class EntryStoreContractTest {

  private static final String A = "aaaaaaaaaaaaaaaa";
  private static final String B = "bbbbbbbbbbbbbbbb";
  private static final String NO_TOKEN = "0000000000000000";
  private static final long LOCK_TIMEOUT_MICROS = 60_000_000;
  private static final long LOCK_TTL_MILLIS = 120_000;
  private static final long TTL_MILLIS = 60_000;
  private static final long MAX_AGE_MICROS = 60_000_000;

  static Stream<String> stores() {
    return Stream.of("redis", "local");
  }

  @Parameter String kind;

  static TestRedis redis;
  static RedissonClient client;
  static final AtomicInteger cases = new AtomicInteger();

  EntryStore store;
  RedisOutage outage;
  AtomicLong localClock;
  String key;
  String clearKey;

  @BeforeAll
  static void connect(TestRedis testRedis) {
    redis = testRedis;
    client = TestRedisClients.failingAfter(redis.address(), Duration.ofSeconds(5));
  }

  @AfterAll
  static void disconnect() {
    if (client != null) {
      client.shutdown();
    }
  }

  @BeforeEach
  void openStore() {
    String prefix = redis.namespace() + ":contract:" + kind + ":" + cases.incrementAndGet();
    key = prefix + ":entry";
    clearKey = prefix + ":!clear";
    if (kind.equals("redis")) {
      // never synced: its offset stays 0, so nowMicros() is a reading of Redis TIME
      RedisClock clock = new RedisClock(EntryStoreContractTest::redisMicros, () -> 0);
      outage =
          new RedisOutage(
              "contract-test",
              "Contract test",
              redis.address(),
              "",
              "",
              System::nanoTime,
              Long.MAX_VALUE / 4,
              0);
      store = new RedisEntryStore(client, clock, outage, LOCK_TTL_MILLIS, 0, Duration.ofSeconds(1));
    } else {
      localClock = new AtomicLong(1_767_225_600_000_000L);
      store = new LocalEntryStore(localClock::incrementAndGet);
    }
  }

  @AfterEach
  void closeStore() {
    store.close();
    if (outage != null) {
      // the Redis store turns failures into misses: a case that met one proves nothing
      assertThat(outage.isDown()).as("Redis answered every step").isFalse();
    }
  }

  private static long redisMicros() {
    return client
        .getScript(LongCodec.INSTANCE)
        .<Long>eval(
            RScript.Mode.READ_WRITE,
            "local t = redis.call('TIME') return tonumber(t[1]) * 1000000 + tonumber(t[2])",
            RScript.ReturnType.LONG);
  }

  /** Lets at least {@code micros} pass on the store's clock. */
  private void advance(long micros) {
    if (localClock != null) {
      localClock.addAndGet(micros);
      return;
    }
    long until = store.nowMicros() + micros;
    await("Redis time to pass " + until)
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(1))
        .until(() -> store.nowMicros() >= until);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static byte[] payload(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] item(long stamp, long version) {
    return Records.item(stamp, Records.version(version), payload("row v" + version));
  }

  private static byte[] unversionedItem(long stamp) {
    return Records.item(stamp, Records.NO_VERSION, payload("row"));
  }

  private boolean putFromLoad(long started, byte[] item) {
    return store.putFromLoad(key, clearKey, started, item, TTL_MILLIS, MAX_AGE_MICROS, false);
  }

  /** Deletes what {@code key} holds (the stores delete only what they could not decode). */
  private void deleteEntry() {
    store.deleteIfEquals(key, store.get(key));
    assertThat(store.get(key)).isNull();
  }

  /** An item of {@code version} cached by a load that started now. */
  private byte[] cachedItem(long version) {
    long started = store.nowMicros();
    byte[] item = item(started, version);
    assertThat(putFromLoad(started, item)).as("put-from-load into an absent key").isTrue();
    assertThat(store.get(key)).isEqualTo(item);
    return item;
  }

  private Records.Lock lockRecord() {
    byte[] record = store.get(key);
    assertThat(Records.kind(record)).as("kind of the record under the key").isEqualTo(Records.LOCK);
    return Records.Lock.parse(record);
  }

  private long clearNow() {
    store.clear(List.of(clearKey));
    return Records.clearedAt(store.get(clearKey));
  }

  private void add(long started, byte[] record) {
    store.writeAll(
        List.of(
            new EntryStore.AddIfAbsent(
                key, clearKey, started, record, TTL_MILLIS, MAX_AGE_MICROS)));
  }

  private static void assertInvalidationBetween(Records.Lock lock, long before, long after) {
    assertThat(lock.token()).isEqualTo(NO_TOKEN);
    assertThat(lock.holders()).isZero();
    assertThat(lock.concurrent()).isFalse();
    assertThat(lock.unlockedAt()).isBetween(before, after);
    assertThat(lock.timeout()).isEqualTo(lock.unlockedAt());
  }

  // ---- plain reads and writes ---------------------------------------------------------------

  @Test
  void getAllAnswersInKeyOrderWithNullForAbsentKeys() {
    byte[] first = Records.plain(store.nowMicros(), payload("first"));
    byte[] second = Records.plain(store.nowMicros(), payload("second"));
    store.set(key, first, TTL_MILLIS);
    store.set(key + "2", second, 0);

    assertThat(store.getAll(List.of(key + "2", key + "missing", key)))
        .containsExactly(second, null, first);

    store.set(key, second, TTL_MILLIS);
    assertThat(store.get(key)).as("set overwrites").isEqualTo(second);
  }

  @Test
  void aValueIsGoneOnceItsTtlHasPassed() {
    store.set(key, Records.plain(store.nowMicros(), payload("short-lived")), 2);
    advance(5_000);
    assertThat(store.get(key)).isNull();
  }

  @Test
  void deleteIfEqualsDeletesOnlyTheRecordThatFailedToDecode() {
    byte[] undecodable = payload("1Vgarbage");
    byte[] replaced = Records.plain(store.nowMicros(), payload("new"));
    store.set(key, replaced, TTL_MILLIS);

    store.deleteIfEquals(key, undecodable);
    assertThat(store.get(key)).as("changed meanwhile: kept").isEqualTo(replaced);

    store.set(key, undecodable, TTL_MILLIS);
    store.deleteIfEquals(key, undecodable);
    assertThat(store.get(key)).isNull();
  }

  // ---- lock ---------------------------------------------------------------------------------

  @Test
  void lockOnAnEmptyKeyTakesTheCallersTokenWithOneHolderNotConcurrent() {
    long before = store.nowMicros();
    assertThat(store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS)).isEqualTo(A);
    long after = store.nowMicros();

    Records.Lock lock = lockRecord();
    assertThat(lock.token()).isEqualTo(A);
    assertThat(lock.holders()).isEqualTo(1);
    assertThat(lock.concurrent()).isFalse();
    assertThat(lock.unlockedAt()).isBetween(before, after);
    assertThat(lock.timeout()).isEqualTo(lock.unlockedAt() + LOCK_TIMEOUT_MICROS);
  }

  @Test
  void lockHidesACachedItem() {
    cachedItem(1);
    assertThat(store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS)).isEqualTo(A);
    assertThat(lockRecord().holders()).isEqualTo(1);
  }

  @Test
  void aSecondWriterJoinsALiveLockGetsTheFirstTokenAndMarksItConcurrent() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    long lockedAt = lockRecord().unlockedAt();

    long before = store.nowMicros();
    assertThat(store.lock(key, B, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS)).isEqualTo(A);
    long after = store.nowMicros();

    Records.Lock lock = lockRecord();
    assertThat(lock.token()).isEqualTo(A);
    assertThat(lock.holders()).isEqualTo(2);
    assertThat(lock.concurrent()).isTrue();
    assertThat(lock.unlockedAt()).as("unchanged by a join").isEqualTo(lockedAt);
    assertThat(lock.timeout()).isBetween(before + LOCK_TIMEOUT_MICROS, after + LOCK_TIMEOUT_MICROS);
  }

  @Test
  void lockOverATimedOutLockTakesANewOneWithTheNewToken() {
    store.lock(key, A, 1_000, LOCK_TTL_MILLIS);
    advance(2_000);

    assertThat(store.lock(key, B, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS)).isEqualTo(B);
    Records.Lock lock = lockRecord();
    assertThat(lock.token()).isEqualTo(B);
    assertThat(lock.holders()).isEqualTo(1);
    assertThat(lock.concurrent()).isFalse();
  }

  @Test
  void lockAllAnswersTheTokenInEffectForEachKeyInOrder() {
    store.lock(key + "2", B, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);

    assertThat(
            store.lockAll(
                List.of(key, key + "2"), List.of(A, A), LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS))
        .containsExactly(A, B);
    assertThat(lockRecord().holders()).isEqualTo(1);
  }

  // ---- unlock and after-update --------------------------------------------------------------

  @Test
  void afterUpdateOfAnUnsharedLockCachesTheWritersValue() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);

    long before = store.nowMicros();
    boolean cached =
        store.afterUpdate(
            key, clearKey, A, Records.version(2L), payload("written"), TTL_MILLIS, LOCK_TTL_MILLIS);
    long after = store.nowMicros();

    assertThat(cached).isTrue();
    byte[] record = store.get(key);
    assertThat(Records.kind(record)).isEqualTo(Records.ITEM);
    assertThat(Records.itemVersion(record)).isEqualTo(Records.version(2L));
    assertThat(Records.itemTimestamp(record)).isBetween(before, after);
    assertThat(Arrays.copyOfRange(record, Records.ITEM_PAYLOAD, record.length))
        .isEqualTo(payload("written"));
  }

  @Test
  void aSharedLockNeverTakesAWritersValueAndRecordsWhenTheLastHolderLeft() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    store.lock(key, B, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    long lockedAt = lockRecord().unlockedAt();

    assertThat(
            store.afterUpdate(
                key, clearKey, A, Records.version(2L), payload("one"), TTL_MILLIS, LOCK_TTL_MILLIS))
        .isFalse();
    Records.Lock one = lockRecord();
    assertThat(one.holders()).isEqualTo(1);
    assertThat(one.concurrent()).isTrue();
    assertThat(one.unlockedAt()).as("a holder is still in").isEqualTo(lockedAt);

    long before = store.nowMicros();
    assertThat(
            store.afterUpdate(
                key, clearKey, A, Records.version(3L), payload("two"), TTL_MILLIS, LOCK_TTL_MILLIS))
        .as("the last holder of a shared lock")
        .isFalse();
    long after = store.nowMicros();
    Records.Lock released = lockRecord();
    assertThat(released.token()).isEqualTo(A);
    assertThat(released.holders()).isZero();
    assertThat(released.concurrent()).isTrue();
    assertThat(released.unlockedAt()).isBetween(before, after);
  }

  @Test
  void unlockReleasesTheLockWithoutCachingAndRecordsWhen() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    long timeout = lockRecord().timeout();

    long before = store.nowMicros();
    store.unlock(key, A, LOCK_TTL_MILLIS);
    long after = store.nowMicros();

    Records.Lock lock = lockRecord();
    assertThat(lock.token()).isEqualTo(A);
    assertThat(lock.holders()).isZero();
    assertThat(lock.concurrent()).isFalse();
    assertThat(lock.timeout()).isEqualTo(timeout);
    assertThat(lock.unlockedAt()).isBetween(before, after);
  }

  @Test
  void afterUpdateOnAVanishedLockInvalidates() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, 1);
    advance(5_000); // the lock's key expired

    long before = store.nowMicros();
    assertThat(
            store.afterUpdate(
                key,
                clearKey,
                A,
                Records.version(2L),
                payload("late"),
                TTL_MILLIS,
                LOCK_TTL_MILLIS))
        .isFalse();
    long after = store.nowMicros();
    assertInvalidationBetween(lockRecord(), before, after);
  }

  @Test
  void unlockOnAVanishedLockInvalidates() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, 1);
    advance(5_000);

    long before = store.nowMicros();
    store.unlock(key, A, LOCK_TTL_MILLIS);
    long after = store.nowMicros();
    assertInvalidationBetween(lockRecord(), before, after);
  }

  @Test
  void afterUpdateOnAnItemThatReplacedATimedOutLockInvalidates() {
    store.lock(key, A, 1_000, LOCK_TTL_MILLIS);
    advance(2_000);
    cachedItem(1); // a load that started after the lock timed out

    long before = store.nowMicros();
    assertThat(
            store.afterUpdate(
                key,
                clearKey,
                A,
                Records.version(2L),
                payload("late"),
                TTL_MILLIS,
                LOCK_TTL_MILLIS))
        .isFalse();
    long after = store.nowMicros();
    assertInvalidationBetween(lockRecord(), before, after);
  }

  @Test
  void afterUpdateLeavesAnotherWritersLiveLockAlone() {
    store.lock(key, A, 1_000, LOCK_TTL_MILLIS);
    advance(2_000);
    store.lock(key, B, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] locked = store.get(key);

    assertThat(
            store.afterUpdate(
                key,
                clearKey,
                A,
                Records.version(2L),
                payload("late"),
                TTL_MILLIS,
                LOCK_TTL_MILLIS))
        .isFalse();
    store.unlock(key, A, LOCK_TTL_MILLIS);
    assertThat(store.get(key)).isEqualTo(locked);
  }

  @Test
  void afterUpdateOnItsOwnTimedOutLockThatNobodyReplacedStillCaches() {
    store.lock(key, A, 1_000, LOCK_TTL_MILLIS);
    advance(2_000);

    assertThat(
            store.afterUpdate(
                key, clearKey, A, Records.version(2L), payload("v2"), TTL_MILLIS, LOCK_TTL_MILLIS))
        .isTrue();
    assertThat(Records.itemVersion(store.get(key))).isEqualTo(Records.version(2L));
  }

  @Test
  void afterUpdateOfALockTakenBeforeTheRegionsClearOnlyUnlocks() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    clearNow();

    long before = store.nowMicros();
    assertThat(
            store.afterUpdate(
                key, clearKey, A, Records.version(2L), payload("v2"), TTL_MILLIS, LOCK_TTL_MILLIS))
        .isFalse();
    long after = store.nowMicros();
    Records.Lock lock = lockRecord();
    assertThat(lock.holders()).isZero();
    assertThat(lock.unlockedAt()).isBetween(before, after);
  }

  @Test
  void afterUpdateOfALockTakenAfterTheRegionsClearCaches() {
    clearNow();
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);

    assertThat(
            store.afterUpdate(
                key, clearKey, A, Records.version(2L), payload("v2"), TTL_MILLIS, LOCK_TTL_MILLIS))
        .isTrue();
    assertThat(Records.kind(store.get(key))).isEqualTo(Records.ITEM);
  }

  @Test
  void unlockWithoutATokenInvalidatesUnlessALiveLockIsOn() {
    cachedItem(1);
    long before = store.nowMicros();
    store.unlock(key, null, LOCK_TTL_MILLIS);
    long after = store.nowMicros();
    assertInvalidationBetween(lockRecord(), before, after);

    store.lock(key + "2", B, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] locked = store.get(key + "2");
    store.unlock(key + "2", null, LOCK_TTL_MILLIS);
    assertThat(store.get(key + "2")).isEqualTo(locked);
  }

  @Test
  void unlockAllUnlocksByTokenAndInvalidatesWhereTheTokenIsNull() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    cachedItem2(key + "2");

    long before = store.nowMicros();
    store.unlockAll(List.of(key, key + "2"), Arrays.asList(A, null), LOCK_TTL_MILLIS);
    long after = store.nowMicros();

    Records.Lock unlocked = lockRecord();
    assertThat(unlocked.token()).isEqualTo(A);
    assertThat(unlocked.holders()).isZero();
    assertThat(unlocked.unlockedAt()).isBetween(before, after);
    assertInvalidationBetween(Records.Lock.parse(store.get(key + "2")), before, after);
  }

  private void cachedItem2(String otherKey) {
    long started = store.nowMicros();
    assertThat(
            store.putFromLoad(
                otherKey, clearKey, started, item(started, 1), TTL_MILLIS, MAX_AGE_MICROS, false))
        .isTrue();
  }

  // ---- after-insert -------------------------------------------------------------------------

  @Test
  void afterInsertCachesIntoAnAbsentKey() {
    long started = store.nowMicros();
    long before = store.nowMicros();
    assertThat(
            store.afterInsert(
                key, clearKey, started, Records.version(1L), payload("inserted"), TTL_MILLIS))
        .isTrue();
    long after = store.nowMicros();

    byte[] record = store.get(key);
    assertThat(Records.kind(record)).isEqualTo(Records.ITEM);
    assertThat(Records.itemVersion(record)).isEqualTo(Records.version(1L));
    assertThat(Records.itemTimestamp(record)).isBetween(before, after);
    assertThat(Arrays.copyOfRange(record, Records.ITEM_PAYLOAD, record.length))
        .isEqualTo(payload("inserted"));
  }

  @Test
  void afterInsertNeverReplacesAnItemOrALiveLock() {
    byte[] item = cachedItem(1);
    assertThat(
            store.afterInsert(
                key, clearKey, store.nowMicros(), Records.version(9L), payload("x"), TTL_MILLIS))
        .isFalse();
    assertThat(store.get(key)).isEqualTo(item);

    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] locked = store.get(key);
    assertThat(
            store.afterInsert(
                key, clearKey, store.nowMicros(), Records.version(9L), payload("x"), TTL_MILLIS))
        .as("over a live lock")
        .isFalse();
    assertThat(store.get(key)).isEqualTo(locked);
  }

  /**
   * A row deleted (or updated, or evicted) and then inserted again under the same id or natural id:
   * the trace of the earlier writer refuses only transactions that started before it left, which
   * may hold its old row. Hibernate's own tests delete, clear and insert the same ids again.
   */
  @Test
  void afterInsertFillsAReleasedLockOnlyFromATransactionThatStartedAfterTheLastHolderLeft() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    store.unlock(key, A, LOCK_TTL_MILLIS);
    byte[] released = store.get(key);
    long left = lockRecord().unlockedAt();

    assertThat(
            store.afterInsert(key, clearKey, left, Records.version(1L), payload("x"), TTL_MILLIS))
        .as("started at the release")
        .isFalse();
    assertThat(store.get(key)).isEqualTo(released);
    assertThat(
            store.afterInsert(
                key, clearKey, left + 1, Records.version(1L), payload("again"), TTL_MILLIS))
        .as("started after")
        .isTrue();
    assertThat(Records.kind(store.get(key))).isEqualTo(Records.ITEM);
    assertThat(Records.itemVersion(store.get(key))).isEqualTo(Records.version(1L));
  }

  @Test
  void afterInsertIsRefusedForATransactionThatStartedAtOrBeforeTheRegionsClear() {
    long cleared = clearNow();

    assertThat(
            store.afterInsert(
                key, clearKey, cleared, Records.version(1L), payload("x"), TTL_MILLIS))
        .isFalse();
    assertThat(store.get(key)).isNull();
    assertThat(
            store.afterInsert(
                key, clearKey, cleared + 1, Records.version(1L), payload("x"), TTL_MILLIS))
        .isTrue();
  }

  @Test
  void afterInsertTreatsAnItemOlderThanTheClearAsAbsent() {
    cachedItem(1);
    long cleared = clearNow();

    assertThat(
            store.afterInsert(
                key, clearKey, cleared + 1, Records.version(2L), payload("x"), TTL_MILLIS))
        .isTrue();
    assertThat(Records.itemVersion(store.get(key))).isEqualTo(Records.version(2L));
  }

  // ---- put-from-load ------------------------------------------------------------------------

  @Test
  void putFromLoadCachesIntoAnAbsentKeyExactlyTheItemGiven() {
    long started = store.nowMicros();
    byte[] item = item(started, 1);
    assertThat(putFromLoad(started, item)).isTrue();
    assertThat(store.get(key)).isEqualTo(item);
  }

  @Test
  void putFromLoadReplacesAPlainValue() {
    store.set(key, Records.plain(store.nowMicros(), payload("plain")), TTL_MILLIS);
    long started = store.nowMicros();
    byte[] item = item(started, 1);
    assertThat(putFromLoad(started, item)).isTrue();
    assertThat(store.get(key)).isEqualTo(item);
  }

  @Test
  void putFromLoadNeverReplacesALiveLock() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] locked = store.get(key);
    long started = store.nowMicros();
    assertThat(putFromLoad(started, item(started, 1))).isFalse();
    assertThat(store.get(key)).isEqualTo(locked);
  }

  @Test
  void putFromLoadFillsAReleasedLockOnlyFromATransactionThatStartedAfterTheLastHolderLeft() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    store.unlock(key, A, LOCK_TTL_MILLIS);
    long left = lockRecord().unlockedAt();

    assertThat(putFromLoad(left - 1, item(left - 1, 1))).as("started before").isFalse();
    assertThat(putFromLoad(left, item(left, 1))).as("started at the release").isFalse();
    assertThat(Records.kind(store.get(key))).isEqualTo(Records.LOCK);
    assertThat(putFromLoad(left + 1, item(left + 1, 1))).as("started after").isTrue();
    assertThat(store.get(key)).isEqualTo(item(left + 1, 1));
  }

  @Test
  void putFromLoadFillsATimedOutLockOnlyFromATransactionThatStartedAfterItsTimeout() {
    store.lock(key, A, 1_000, LOCK_TTL_MILLIS);
    long timeout = lockRecord().timeout();
    advance(2_000);

    assertThat(putFromLoad(timeout, item(timeout, 1))).isFalse();
    assertThat(putFromLoad(timeout + 1, item(timeout + 1, 1))).isTrue();
    assertThat(store.get(key)).isEqualTo(item(timeout + 1, 1));
  }

  @Test
  void putFromLoadReplacesAnItemOnlyWithANewerVersion() {
    byte[] current = cachedItem(5);
    long started = store.nowMicros();

    assertThat(putFromLoad(started, item(started, 4))).as("older").isFalse();
    assertThat(putFromLoad(started, item(started, 5))).as("same").isFalse();
    assertThat(store.get(key)).isEqualTo(current);
    assertThat(putFromLoad(started, item(started, 6))).as("newer").isTrue();
    assertThat(store.get(key)).isEqualTo(item(started, 6));
  }

  @Test
  void putFromLoadNeverReplacesAnItemWithAMinimalPut() {
    byte[] current = cachedItem(5);
    long started = store.nowMicros();
    assertThat(
            store.putFromLoad(
                key, clearKey, started, item(started, 6), TTL_MILLIS, MAX_AGE_MICROS, true))
        .isFalse();
    assertThat(store.get(key)).isEqualTo(current);
  }

  @Test
  void putFromLoadNeverReplacesAnItemWhenEitherHasNoOrderedVersion() {
    long started = store.nowMicros();
    byte[] unversioned = unversionedItem(started);
    assertThat(putFromLoad(started, unversioned)).isTrue();
    assertThat(putFromLoad(started, item(started, 6))).as("over an unversioned item").isFalse();
    assertThat(store.get(key)).isEqualTo(unversioned);

    deleteEntry();
    byte[] versioned = cachedItem(5);
    assertThat(putFromLoad(started, unversionedItem(started))).as("unversioned over v5").isFalse();
    assertThat(store.get(key)).isEqualTo(versioned);
  }

  @Test
  void putFromLoadIsRefusedFromATransactionOlderThanTheMaximumAge() {
    long started = store.nowMicros();
    advance(1_001);
    assertThat(
            store.putFromLoad(key, clearKey, started, item(started, 1), TTL_MILLIS, 1_000, false))
        .isFalse();
    assertThat(store.get(key)).isNull();
  }

  /**
   * A NONSTRICT_READ_WRITE or READ_ONLY load's add, and a CacheMode.REFRESH load's refresh, that
   * reach the store after the maximum age (as after a stall): the row they read may have been
   * changed by a writer whose invalidation marker has expired since, so both are refused.
   */
  @Test
  void addAndRefreshAreRefusedFromATransactionOlderThanTheMaximumAge() {
    byte[] old = Records.plain(store.nowMicros(), payload("old"));
    long started = store.nowMicros();
    advance(1_001);
    List<Boolean> stored =
        store.writeAll(
            List.of(
                new EntryStore.AddIfAbsent(key, clearKey, started, old, TTL_MILLIS, 1_000),
                new EntryStore.Refresh(key + "2", clearKey, started, old, TTL_MILLIS, 1_000)));
    assertThat(stored).containsExactly(false, false);
    assertThat(store.get(key)).isNull();
    assertThat(store.get(key + "2")).isNull();

    long recent = store.nowMicros();
    assertThat(
            store.writeAll(
                List.of(
                    new EntryStore.AddIfAbsent(
                        key, clearKey, recent, old, TTL_MILLIS, MAX_AGE_MICROS),
                    new EntryStore.Refresh(
                        key + "2", clearKey, recent, old, TTL_MILLIS, MAX_AGE_MICROS))))
        .as("from a transaction within the maximum age")
        .containsExactly(true, true);
  }

  @Test
  void putFromLoadIsRefusedFromATransactionThatStartedAtOrBeforeTheRegionsClear() {
    long cleared = clearNow();

    assertThat(putFromLoad(cleared - 1, item(cleared - 1, 1))).isFalse();
    assertThat(putFromLoad(cleared, item(cleared, 1))).isFalse();
    assertThat(store.get(key)).isNull();
    assertThat(putFromLoad(cleared + 1, item(cleared + 1, 1))).isTrue();
  }

  @Test
  void putFromLoadTreatsAnItemOlderThanTheClearAsAbsentWhateverItsVersion() {
    cachedItem(5);
    long cleared = clearNow();

    byte[] older = item(cleared + 1, 4);
    assertThat(putFromLoad(cleared + 1, older)).isTrue();
    assertThat(store.get(key)).isEqualTo(older);
  }

  @Test
  void putFromLoadStillRespectsALockAfterTheRegionsClear() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    long cleared = clearNow();

    assertThat(putFromLoad(cleared + 1, item(cleared + 1, 1))).isFalse();
    assertThat(lockRecord().holders()).isEqualTo(1);
  }

  @Test
  void writeAllAppliesEachWriteByItsOwnRule() {
    store.lock(key + "locked", A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] locked = store.get(key + "locked");
    long started = store.nowMicros();
    byte[] item = item(started, 1);
    byte[] value = Records.plain(started, payload("added"));

    store.writeAll(
        List.of(
            new EntryStore.PutFromLoad(
                key, clearKey, started, item, TTL_MILLIS, MAX_AGE_MICROS, false),
            new EntryStore.PutFromLoad(
                key + "locked", clearKey, started, item, TTL_MILLIS, MAX_AGE_MICROS, false),
            new EntryStore.AddIfAbsent(
                key + "added", clearKey, started, value, 0, MAX_AGE_MICROS)));

    assertThat(store.getAll(List.of(key, key + "locked", key + "added")))
        .containsExactly(item, locked, value);
  }

  /** The write-backs of a load carry every argument of a put-from-load (one packed argument). */
  @Test
  void writeAllAppliesTheMinimalPutAndMaximumAgeOfEachPutFromLoad() {
    cachedItem(1);
    long started = store.nowMicros();
    byte[] newer = item(started, 2);
    List<Boolean> stored =
        store.writeAll(
            List.of(
                new EntryStore.PutFromLoad(
                    key, clearKey, started, newer, TTL_MILLIS, MAX_AGE_MICROS, true),
                new EntryStore.PutFromLoad(
                    key + "old",
                    clearKey,
                    started - 2 * MAX_AGE_MICROS,
                    item(started, 1),
                    TTL_MILLIS,
                    MAX_AGE_MICROS,
                    false)));
    assertThat(stored)
        .as("a minimal put over an item; a load older than the maximum age")
        .containsExactly(false, false);
    assertThat(store.get(key + "old")).isNull();

    assertThat(
            store.writeAll(
                List.of(
                    new EntryStore.PutFromLoad(
                        key, clearKey, started, newer, TTL_MILLIS, MAX_AGE_MICROS, false))))
        .containsExactly(true);
    assertThat(store.get(key)).isEqualTo(newer);
  }

  // ---- add (NONSTRICT_READ_WRITE, READ_ONLY) --------------------------------------------------

  @Test
  void addStoresIntoAnAbsentKeyExactlyTheRecordGiven() {
    long started = store.nowMicros();
    byte[] value = Records.plain(started, payload("loaded"));
    add(started, value);
    assertThat(store.get(key)).isEqualTo(value);
  }

  @Test
  void addNeverReplacesAValueAnItemOrALiveLock() {
    byte[] first = Records.plain(store.nowMicros(), payload("first"));
    add(store.nowMicros(), first);
    add(store.nowMicros(), Records.plain(store.nowMicros(), payload("second")));
    assertThat(store.get(key)).isEqualTo(first);

    deleteEntry();
    byte[] item = cachedItem(1);
    add(store.nowMicros(), Records.plain(store.nowMicros(), payload("second")));
    assertThat(store.get(key)).isEqualTo(item);

    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] locked = store.get(key);
    add(store.nowMicros(), Records.plain(store.nowMicros(), payload("second")));
    assertThat(store.get(key)).as("over a live lock").isEqualTo(locked);
  }

  @Test
  void addFillsAnInvalidationOnlyFromATransactionThatStartedAfterIt() {
    store.invalidate(key, LOCK_TTL_MILLIS);
    byte[] invalidated = store.get(key);
    long at = lockRecord().unlockedAt();

    add(at, Records.plain(at, payload("stale")));
    assertThat(store.get(key)).as("started at the invalidation").isEqualTo(invalidated);
    byte[] fresh = Records.plain(at + 1, payload("fresh"));
    add(at + 1, fresh);
    assertThat(store.get(key)).as("started after").isEqualTo(fresh);
  }

  @Test
  void addIsRefusedFromATransactionThatStartedAtOrBeforeTheRegionsClear() {
    long cleared = clearNow();

    add(cleared, Records.plain(cleared, payload("stale")));
    assertThat(store.get(key)).isNull();
    byte[] fresh = Records.plain(cleared + 1, payload("fresh"));
    add(cleared + 1, fresh);
    assertThat(store.get(key)).isEqualTo(fresh);
  }

  @Test
  void addTreatsAValueOlderThanTheClearAsAbsent() {
    add(store.nowMicros(), Records.plain(store.nowMicros(), payload("old")));
    long cleared = clearNow();

    byte[] fresh = Records.plain(cleared + 1, payload("fresh"));
    add(cleared + 1, fresh);
    assertThat(store.get(key)).isEqualTo(fresh);
  }

  // ---- refresh (CacheMode.REFRESH into NONSTRICT_READ_WRITE, READ_ONLY) ---------------------

  private boolean refresh(long started, byte[] record) {
    return store
        .writeAll(
            List.of(
                new EntryStore.Refresh(key, clearKey, started, record, TTL_MILLIS, MAX_AGE_MICROS)))
        .get(0);
  }

  @Test
  void refreshReplacesAValue() {
    add(store.nowMicros(), Records.plain(store.nowMicros(), payload("old")));
    long started = store.nowMicros();
    byte[] fresh = Records.plain(started, payload("fresh"));
    assertThat(refresh(started, fresh)).isTrue();
    assertThat(store.get(key)).isEqualTo(fresh);
  }

  @Test
  void refreshIsRefusedFromATransactionThatStartedAtOrBeforeTheRegionsClear() {
    byte[] old = Records.plain(store.nowMicros(), payload("old"));
    add(store.nowMicros(), old);
    advance(1);
    long cleared = clearNow();

    assertThat(refresh(cleared, Records.plain(cleared, payload("stale")))).isFalse();
    assertThat(store.get(key)).isEqualTo(old);
    byte[] fresh = Records.plain(cleared + 1, payload("fresh"));
    assertThat(refresh(cleared + 1, fresh)).isTrue();
    assertThat(store.get(key)).isEqualTo(fresh);
  }

  @Test
  void refreshNeverReplacesALiveLockNorALockReleasedAfterTheTransactionStarted() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] locked = store.get(key);
    long started = store.nowMicros();
    assertThat(refresh(started, Records.plain(started, payload("x")))).isFalse();
    assertThat(store.get(key)).isEqualTo(locked);

    store.unlock(key, A, LOCK_TTL_MILLIS);
    long left = lockRecord().unlockedAt();
    assertThat(refresh(left, Records.plain(left, payload("x")))).as("started at").isFalse();
    byte[] fresh = Records.plain(left + 1, payload("fresh"));
    assertThat(refresh(left + 1, fresh)).as("started after").isTrue();
    assertThat(store.get(key)).isEqualTo(fresh);
  }

  // ---- remove and invalidate ----------------------------------------------------------------

  @Test
  void removeDeletesAValueOrAnItemButNeverALock() {
    cachedItem(1);
    store.removeUnlessLocked(key);
    assertThat(store.get(key)).isNull();

    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] live = store.get(key);
    store.removeUnlessLocked(key);
    assertThat(store.get(key)).as("a live lock").isEqualTo(live);

    store.unlock(key, A, LOCK_TTL_MILLIS);
    byte[] released = store.get(key);
    store.removeUnlessLocked(key);
    assertThat(store.get(key)).as("a released lock").isEqualTo(released);
  }

  @Test
  void invalidateHidesAnItemAndRefusesPutFromLoadsOfTransactionsStartedUpToThen() {
    cachedItem(1);
    long before = store.nowMicros();
    store.invalidate(key, LOCK_TTL_MILLIS);
    long after = store.nowMicros();
    Records.Lock marker = lockRecord();
    assertInvalidationBetween(marker, before, after);

    long at = marker.unlockedAt();
    assertThat(putFromLoad(at, item(at, 2))).isFalse();
    assertThat(putFromLoad(at + 1, item(at + 1, 2))).isTrue();
  }

  @Test
  void invalidateOfAnAbsentKeyLeavesAMarker() {
    long before = store.nowMicros();
    store.invalidate(key, LOCK_TTL_MILLIS);
    long after = store.nowMicros();
    assertInvalidationBetween(lockRecord(), before, after);
  }

  @Test
  void invalidateLeavesALiveLockAloneButReplacesATimedOutOne() {
    store.lock(key, A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] live = store.get(key);
    store.invalidate(key, LOCK_TTL_MILLIS);
    assertThat(store.get(key)).isEqualTo(live);

    store.lock(key + "2", B, 1_000, LOCK_TTL_MILLIS);
    advance(2_000);
    long before = store.nowMicros();
    store.invalidate(key + "2", LOCK_TTL_MILLIS);
    long after = store.nowMicros();
    assertInvalidationBetween(Records.Lock.parse(store.get(key + "2")), before, after);
  }

  // ---- clear --------------------------------------------------------------------------------

  @Test
  void clearWritesTheStoresTimeUnderEachClearKey() {
    long before = store.nowMicros();
    store.clear(List.of(clearKey, clearKey + "2"));
    long after = store.nowMicros();

    assertThat(Records.clearedAt(store.get(clearKey))).isBetween(before, after);
    assertThat(Records.clearedAt(store.get(clearKey + "2"))).isBetween(before, after);
  }

  @Test
  void afterAClearValuesAndItemsWrittenBeforeReadAsAbsentAndLocksSurvive() {
    byte[] item = cachedItem(1);
    byte[] value = Records.plain(store.nowMicros(), payload("value"));
    store.set(key + "value", value, TTL_MILLIS);
    store.lock(key + "lock", A, LOCK_TIMEOUT_MICROS, LOCK_TTL_MILLIS);
    byte[] lock = store.get(key + "lock");

    long cleared = clearNow();
    byte[] later = Records.plain(cleared, payload("written at the clear"));
    store.set(key + "later", later, TTL_MILLIS);

    List<byte[]> read = store.getAll(List.of(key, key + "value", key + "lock", key + "later"));
    assertThat(read).containsExactly(item, value, lock, later); // the store keeps the records
    assertThat(read.stream().map(record -> Records.unlessCleared(record, cleared)).toList())
        .containsExactly(null, null, lock, later);
  }
}
