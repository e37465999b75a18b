package dev.coalesce.redis.internal;

import java.util.List;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.LongCodec;

/**
 * Redis server time without a round trip per reading: this JVM's clock plus its measured offset to
 * Redis {@code TIME}. Call {@link #sync()} every few seconds (the caller owns the scheduler); each
 * sync takes the fastest of a few readings (usually one or two round trips), and a measurement much
 * slower than the last accepted one is ignored, so slow replies do not skew the offset.
 *
 * <p>Several nodes that share one Redis then agree on time up to {@link #uncertaintyMicros()} (half
 * the measuring round trip) plus their clocks' drift between syncs, which is what makes timestamps
 * written by one node comparable with timestamps read by another.
 */
public final class RedisClock {

  private static final Logger LOG = Logger.getLogger(RedisClock.class);
  private static final LuaScript TIME = LuaScript.fromResource(RedisClock.class, "time.lua");

  private final LongSupplier localMicros;
  private final LongSupplier redisMicros;
  private volatile long offsetMicros;
  private volatile long uncertaintyMicros;
  private volatile boolean synced;

  /**
   * @param localMicros this JVM's wall clock in microseconds since the epoch (injectable for tests)
   * @param redisMicros one reading of Redis {@code TIME} in microseconds since the epoch
   */
  public RedisClock(LongSupplier localMicros, LongSupplier redisMicros) {
    this.localMicros = localMicros;
    this.redisMicros = redisMicros;
  }

  /**
   * A clock reading {@code TIME} from the server behind {@code client}.
   *
   * @param localMicros this JVM's wall clock in microseconds ({@link Timing#nowMicros()})
   */
  public static RedisClock of(RedissonClient client, LongSupplier localMicros) {
    return new RedisClock(localMicros, () -> readTime(client));
  }

  /**
   * {@code TIME} of the master, where the cache's locks and items are stamped: a script run as
   * {@code READ_WRITE} goes to the master whatever the client's read mode (Redisson reads from
   * replicas by default), and a replica's clock is another machine's.
   */
  private static long readTime(RedissonClient client) {
    List<Long> time =
        TIME.eval(
            client.getScript(LongCodec.INSTANCE),
            RScript.Mode.READ_WRITE,
            RScript.ReturnType.LIST,
            List.of());
    return time.get(0) * 1_000_000L + time.get(1);
  }

  /** The most {@code TIME} readings one {@link #sync()} takes. */
  static final int MAX_SAMPLES = 32;

  /** A reading whose round trip is at most twice this is precise enough: the sync stops there. */
  static final long PRECISE_HALF_ROUND_TRIP_MICROS = 50;

  /**
   * Measures the offset: up to {@link #MAX_SAMPLES} readings (one round trip each; it stops at the
   * first whose round trip is at most {@code 2 * PRECISE_HALF_ROUND_TRIP_MICROS}), keeping the one
   * with the smallest round trip, so the error is at most half the best round trip (the first
   * reading after a connection opens or a script loads is often slow). On failure the previous
   * offset stays in use and the exception propagates to the caller.
   */
  public void sync() {
    long bestOffset = 0;
    long bestHalfRoundTrip = Long.MAX_VALUE;
    for (int i = 0; i < MAX_SAMPLES && bestHalfRoundTrip > PRECISE_HALF_ROUND_TRIP_MICROS; i++) {
      long before = localMicros.getAsLong();
      long server = redisMicros.getAsLong();
      long after = localMicros.getAsLong();
      long halfRoundTrip = Math.max(0, (after - before) / 2);
      if (halfRoundTrip < bestHalfRoundTrip) {
        bestHalfRoundTrip = halfRoundTrip;
        bestOffset = server - (before + halfRoundTrip);
      }
    }
    // A measurement much less precise than the last accepted one (every reply waited in a queue):
    // keep the previous offset then.
    if (!synced || bestHalfRoundTrip <= uncertaintyMicros * 4 + 1_000) {
      offsetMicros = bestOffset;
      uncertaintyMicros = bestHalfRoundTrip;
      if (!synced) {
        LOG.debugf("Redis clock offset %d us (+/- %d us)", bestOffset, bestHalfRoundTrip);
      }
      synced = true;
    }
  }

  /** Whether at least one {@link #sync()} succeeded. */
  public boolean isSynced() {
    return synced;
  }

  /** Redis time now, in microseconds since the epoch (this JVM's clock until the first sync). */
  public long nowMicros() {
    return localMicros.getAsLong() + offsetMicros;
  }

  /** How far {@link #nowMicros()} may be from the server's clock, from the last measurement. */
  public long uncertaintyMicros() {
    return uncertaintyMicros;
  }

  /** The measured offset of Redis time to this JVM's clock, in microseconds. */
  public long offsetMicros() {
    return offsetMicros;
  }
}
