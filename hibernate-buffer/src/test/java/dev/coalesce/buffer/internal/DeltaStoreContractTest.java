package dev.coalesce.buffer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coalesce.redis.internal.KeyNamespace;
import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestRedis;
import dev.coalesce.testing.TestRedisClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
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
 * One contract for both delta stores: every case runs on {@link RedisDeltaStore} (the Lua scripts
 * on a real Redis) and on {@link LocalDeltaStore}, with the same expected answers, so a rule of the
 * push / claim / ack protocol changed in one of them fails here until the other follows.
 *
 * <p>Not here, because only Redis has it: the partition epoch ({@link PushReply#lost()}, a retried
 * push refused after Redis lost the partition's data). The local store cannot lose its data without
 * losing the JVM that would retry; {@link RedisDeltaStoreEpochTest} covers the rule.
 *
 * <p>Time: the local store runs on a clock of this test that moves only on {@link #advance}; the
 * Redis store ages deltas on Redis {@code TIME}, so its ages are checked between the Redis times
 * read around the steps (for the local store both bounds are the same number).
 */
@RealServices
@ParameterizedClass(name = "{0}")
@MethodSource("stores")
class DeltaStoreContractTest {

  private static final int PARTITIONS = 4;

  static Stream<String> stores() {
    return Stream.of("redis", "local");
  }

  @Parameter String kind;

  static TestRedis redis;
  static RedissonClient client;
  static final AtomicInteger cases = new AtomicInteger();

  DeltaStore store;
  ManualClock localClock;

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
    if (kind.equals("redis")) {
      KeyNamespace keys =
          new KeyNamespace(redis.namespace() + ":contract" + cases.incrementAndGet());
      store = DeltaStore.redis("contract-test", client, keys, PARTITIONS, Duration.ofSeconds(5), 0);
    } else {
      localClock = new ManualClock();
      store = DeltaStore.local(PARTITIONS, localClock);
    }
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  /** The store's clock in milliseconds: the test's for the local store, Redis TIME for Redis. */
  private long nowMillis() {
    if (localClock != null) {
      return localClock.millis();
    }
    return client
        .getScript(LongCodec.INSTANCE)
        .<Long>eval(
            RScript.Mode.READ_WRITE,
            "local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(t[2] / 1000)",
            RScript.ReturnType.LONG);
  }

  /** Lets at least {@code millis} pass on the store's clock. */
  private void advance(long millis) {
    if (localClock != null) {
      localClock.now = localClock.now.plusMillis(millis);
      return;
    }
    long until = nowMillis() + millis;
    await("Redis time to pass " + until)
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> nowMillis() >= until);
  }

  /** A counter of row {@code Post#<id>} whose row lands in {@code partition}, the n-th such id. */
  private static CounterKey counter(int partition, int n, String attribute) {
    int found = 0;
    for (int id = 1; ; id++) {
      CounterKey key = new CounterKey("Post", attribute, Integer.toString(id));
      if (key.partition(PARTITIONS) == partition && found++ == n) {
        return key;
      }
    }
  }

  private static CounterKey views(int partition, int n) {
    return counter(partition, n, "views");
  }

  private static CounterKey likes(int partition, int n) {
    return counter(partition, n, "likes");
  }

  private PushReply push(String node, long seq, Map<CounterKey, Long> deltas) {
    return store.push(new Push(node, seq, deltas, false));
  }

  private Claim claimOf(int partition, long floor) {
    Optional<Claim> claim = store.claim(partition, 100, floor);
    assertThat(claim).as("claim of partition " + partition).isPresent();
    return claim.get();
  }

  // ---- push ---------------------------------------------------------------------------------

  @Test
  void pushesAddUpInTheLiveDeltas() {
    CounterKey a = views(0, 0);
    CounterKey b = views(1, 0);

    assertThat(push("n1", 1, Map.of(a, 3L, b, -2L))).isEqualTo(PushReply.APPLIED);
    assertThat(push("n1", 2, Map.of(a, 4L))).isEqualTo(PushReply.APPLIED);

    assertThat(store.pending(a)).isEqualTo(new PendingDelta(7, 0, 0));
    assertThat(store.pending(b)).isEqualTo(new PendingDelta(-2, 0, 0));
    assertThat(store.pending(views(2, 0))).isEqualTo(new PendingDelta(0, 0, 0));
  }

  @Test
  void aPushSentAgainUnderItsNumberIsAppliedBeforeInEachPartitionAndNotTwice() {
    CounterKey a = views(0, 0);
    CounterKey b = views(1, 0);
    Push push = new Push("n1", 1, Map.of(a, 3L, b, 5L), false);
    assertThat(store.push(push)).isEqualTo(PushReply.APPLIED);

    assertThat(store.push(push.asRetry())).isEqualTo(new PushReply(2, Map.of()));

    assertThat(store.pending(a)).isEqualTo(new PendingDelta(3, 0, 0));
    assertThat(store.pending(b)).isEqualTo(new PendingDelta(5, 0, 0));
  }

  @Test
  void aPushNumberedAtOrBelowTheNodesLastAppliedOneIsAppliedBefore() {
    CounterKey a = views(0, 0);
    push("n1", 2, Map.of(a, 1L));

    assertThat(push("n1", 1, Map.of(a, 10L))).isEqualTo(new PushReply(1, Map.of()));
    assertThat(push("n1", 2, Map.of(a, 10L))).isEqualTo(new PushReply(1, Map.of()));
    assertThat(push("n1", 3, Map.of(a, 10L))).isEqualTo(PushReply.APPLIED);
    assertThat(store.pending(a)).isEqualTo(new PendingDelta(11, 0, 0));
  }

  @Test
  void pushNumbersAreCountedPerNode() {
    CounterKey a = views(0, 0);
    assertThat(push("n1", 1, Map.of(a, 1L))).isEqualTo(PushReply.APPLIED);
    assertThat(push("n2", 1, Map.of(a, 2L))).isEqualTo(PushReply.APPLIED);
    assertThat(store.pending(a)).isEqualTo(new PendingDelta(3, 0, 0));
  }

  @Test
  void pushNumbersAreCountedPerPartition() {
    CounterKey a = views(0, 0);
    CounterKey b = views(1, 0);
    push("n1", 1, Map.of(a, 1L));

    // partition 0 applied push 1 before, partition 1 never saw it
    assertThat(store.push(new Push("n1", 1, Map.of(a, 1L, b, 2L), true)))
        .isEqualTo(new PushReply(1, Map.of()));
    assertThat(store.pending(a)).isEqualTo(new PendingDelta(1, 0, 0));
    assertThat(store.pending(b)).isEqualTo(new PendingDelta(2, 0, 0));
  }

  @Test
  void aPushWithoutDeltasIsAppliedAndChangesNothing() {
    assertThat(push("n1", 1, Map.of())).isEqualTo(PushReply.APPLIED);
    assertThat(store.oldestPendingAgeMillis()).isEmpty();
    assertThat(store.claim(0, 100, 0)).isEmpty();
  }

  // ---- claim and ack ------------------------------------------------------------------------

  @Test
  void aClaimMovesTheLiveDeltasInFlightUnderTheNextSequenceNumber() {
    CounterKey a = views(2, 0);
    CounterKey b = likes(2, 1);
    push("n1", 1, Map.of(a, 3L, b, 4L));

    assertThat(store.claim(2, 100, 0)).contains(new Claim(2, 1, Map.of(a, 3L, b, 4L)));
    assertThat(store.pending(a)).isEqualTo(new PendingDelta(0, 3, 1));
    assertThat(store.pending(b)).isEqualTo(new PendingDelta(0, 4, 1));
  }

  @Test
  void aClaimOfAPartitionWithNothingLiveIsEmpty() {
    push("n1", 1, Map.of(views(1, 0), 3L));
    assertThat(store.claim(0, 100, 0)).isEmpty();
    assertThat(store.claim(0, 100, 0)).isEmpty();
  }

  @Test
  void aClaimsSequenceNumberIsAboveTheLedgersFloorAndAboveEveryEarlierClaim() {
    CounterKey a = views(0, 0);
    long[] floors = {0, 0, 10, 5};
    long[] expected = {1, 2, 11, 12};
    for (int i = 0; i < floors.length; i++) {
      push("n1", i + 1, Map.of(a, 1L));
      Claim claim = claimOf(0, floors[i]);
      assertThat(claim.seq()).as("claim " + i + " with floor " + floors[i]).isEqualTo(expected[i]);
      store.ack(0, claim.seq());
    }
  }

  @Test
  void aClaimInFlightIsReturnedAgainWithTheSameDeltasUntilItIsAcked() {
    CounterKey a = views(3, 0);
    push("n1", 1, Map.of(a, 3L));
    Claim first = claimOf(3, 0);
    push("n1", 2, Map.of(a, 5L));

    // the flush that made the claim failed: the next one, whatever its floor, gets it back
    assertThat(store.claim(3, 100, 0)).contains(first);
    assertThat(store.claim(3, 1, 99)).contains(first);
    assertThat(store.pending(a)).isEqualTo(new PendingDelta(5, 3, 1));

    store.ack(3, first.seq() + 1);
    assertThat(store.claim(3, 100, 0)).as("an ack of another number").contains(first);

    store.ack(3, first.seq());
    assertThat(store.pending(a)).isEqualTo(new PendingDelta(5, 0, 0));
    assertThat(store.claim(3, 100, 0)).contains(new Claim(3, 2, Map.of(a, 5L)));
  }

  @Test
  void aClaimTakesAtMostMaxRowsRowsAndAlwaysEveryCounterOfARow() {
    Map<CounterKey, Long> pushed = new HashMap<>();
    for (int row = 0; row < 3; row++) {
      pushed.put(views(1, row), 1L + row);
      pushed.put(likes(1, row), 10L + row);
    }
    push("n1", 1, pushed);

    Claim first = store.claim(1, 2, 0).orElseThrow();
    assertThat(rows(first)).hasSize(2);
    assertThat(first.deltas()).hasSize(4);
    store.ack(1, first.seq());
    Claim second = store.claim(1, 2, 0).orElseThrow();
    assertThat(second.seq()).isEqualTo(2);
    assertThat(rows(second)).hasSize(1).doesNotContainAnyElementsOf(rows(first));
    assertThat(second.deltas()).hasSize(2);

    Map<CounterKey, Long> claimed = new HashMap<>(first.deltas());
    claimed.putAll(second.deltas());
    assertThat(claimed).isEqualTo(pushed);
    store.ack(1, second.seq());
    assertThat(store.claim(1, 2, 0)).isEmpty();
  }

  private static Set<String> rows(Claim claim) {
    return claim.deltas().keySet().stream().map(CounterKey::row).collect(Collectors.toSet());
  }

  @Test
  void deltasThatSumToZeroAreDroppedWithoutAClaimOrASequenceNumber() {
    CounterKey a = views(0, 0);
    push("n1", 1, Map.of(a, 5L));
    push("n1", 2, Map.of(a, -5L));

    assertThat(store.claim(0, 100, 0)).isEmpty();
    assertThat(store.pending(a)).isEqualTo(new PendingDelta(0, 0, 0));
    assertThat(store.oldestPendingAgeMillis()).isEmpty();

    push("n1", 3, Map.of(a, 1L));
    assertThat(store.claim(0, 100, 0)).contains(new Claim(0, 1, Map.of(a, 1L)));
  }

  @Test
  void claimAllClaimsTheChosenPartitionsIndexedByPartition() {
    CounterKey a = views(0, 0);
    CounterKey c = views(2, 0);
    CounterKey d = views(3, 0);
    push("n1", 1, Map.of(a, 1L, c, 2L, d, 3L));
    Claim inFlight = claimOf(2, 0);
    push("n1", 2, Map.of(c, 20L));

    BitSet which = new BitSet();
    which.set(0);
    which.set(1);
    which.set(2);
    assertThat(store.claimAll(which, 100, new long[] {7, 0, 0, 0}))
        .containsExactly(
            Optional.of(new Claim(0, 8, Map.of(a, 1L))),
            Optional.empty(),
            Optional.of(inFlight),
            Optional.empty());
    assertThat(store.pending(d))
        .as("partition 3 was not chosen")
        .isEqualTo(new PendingDelta(3, 0, 0));
  }

  @Test
  void ackAllDropsEveryClaimThatStillCarriesItsNumber() {
    CounterKey a = views(0, 0);
    CounterKey b = views(1, 0);
    CounterKey c = views(2, 0);
    push("n1", 1, Map.of(a, 1L, b, 2L, c, 3L));
    Claim claimA = claimOf(0, 0);
    Claim claimB = claimOf(1, 0);
    Claim claimC = claimOf(2, 0);

    store.ackAll(List.of(claimA, claimB, new Claim(2, claimC.seq() + 1, claimC.deltas())));

    assertThat(store.pending(a)).isEqualTo(new PendingDelta(0, 0, 0));
    assertThat(store.pending(b)).isEqualTo(new PendingDelta(0, 0, 0));
    assertThat(store.pending(c)).isEqualTo(new PendingDelta(0, 3, claimC.seq()));
    assertThat(store.claim(2, 100, 0)).contains(claimC);
  }

  @Test
  void pendingShowsAnInFlightSequenceNumberOnlyForACounterInThatClaim() {
    CounterKey a = views(0, 0);
    CounterKey b = views(0, 1);
    push("n1", 1, Map.of(a, 1L));
    claimOf(0, 0);
    push("n1", 2, Map.of(b, 2L));

    assertThat(store.pending(a)).isEqualTo(new PendingDelta(0, 1, 1));
    assertThat(store.pending(b)).isEqualTo(new PendingDelta(2, 0, 0));
  }

  // ---- age of the oldest delta --------------------------------------------------------------

  @Test
  void theOldestAgeIsEmptyWhenNothingIsHeld() {
    assertThat(store.oldestPendingAgeMillis()).isEmpty();
  }

  @Test
  void theOldestAgeCountsFromTheFirstPushIntoAnEmptyPartitionThroughItsClaimUntilTheAck() {
    CounterKey a = views(0, 0);
    CounterKey b = views(1, 0);
    long beforeFirst = nowMillis();
    push("n1", 1, Map.of(a, 1L));
    long afterFirst = nowMillis();
    advance(150);
    push("n1", 2, Map.of(a, 1L)); // not the oldest: the partition's age stays
    assertAgeBetween(beforeFirst, afterFirst);

    Claim claim = claimOf(0, 0);
    advance(100);
    long beforeSecond = nowMillis();
    push("n1", 3, Map.of(b, 1L));
    long afterSecond = nowMillis();
    assertAgeBetween(beforeFirst, afterFirst); // the claim in flight is the oldest

    store.ack(0, claim.seq());
    assertAgeBetween(beforeSecond, afterSecond);

    store.ack(1, claimOf(1, 0).seq());
    assertThat(store.oldestPendingAgeMillis()).isEmpty();
  }

  /** The age answered now is that of a delta pushed between the two times given. */
  private void assertAgeBetween(long pushedNotBefore, long pushedNotAfter) {
    long before = nowMillis();
    OptionalLong age = store.oldestPendingAgeMillis();
    long after = nowMillis();
    assertThat(age).isPresent();
    assertThat(age.getAsLong()).isBetween(before - pushedNotAfter, after - pushedNotBefore);
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
