package dev.coalesce.cache.internal;

import dev.coalesce.redis.internal.LuaScript;
import dev.coalesce.redis.internal.RedisClock;
import dev.coalesce.redis.internal.RedisOutage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * How every call of {@link RedisEntryStore} meets Redis: through the {@link RedisOutage} gate
 * (while Redis is down one caller probes per retry interval, the others get the "down" answer at
 * once), and after resending what an outage kept. Invalidations that could not be sent (unlocks and
 * after-updates become invalidations, evictions, region clears, update timestamps of the query
 * cache) are kept here and resent before this node calls Redis again, and by {@link #resend()},
 * which the region factory calls every retry interval, so they reach Redis soon after it answers
 * even from a node that serves nothing.
 */
final class RedisCalls {

  private static final Logger LOG = Logger.getLogger(RedisCalls.class);

  private final RedissonClient client;
  private final RedisClock clock;
  private final RedisOutage outage;
  private final long lockTtlMillis;

  private final Set<String> invalidations = ConcurrentHashMap.newKeySet();
  private final Set<String> clears = ConcurrentHashMap.newKeySet();
  private final Set<String> timestamps = ConcurrentHashMap.newKeySet();

  RedisCalls(RedissonClient client, RedisClock clock, RedisOutage outage, long lockTtlMillis) {
    this.client = client;
    this.clock = clock;
    this.outage = outage;
    this.lockTtlMillis = lockTtlMillis;
  }

  /** The name of the SessionFactory these calls serve, as log lines name it. */
  String factory() {
    return outage.factory();
  }

  /** Runs {@code operation}; {@code whenDown} if Redis is down or fails now. */
  <T> T call(String what, Supplier<T> operation, T whenDown) {
    if (!resendKept()) {
      return whenDown;
    }
    try {
      T result = operation.get();
      outage.succeeded();
      return result;
    } catch (RedisException e) {
      failed(what, e);
      return whenDown;
    }
  }

  /**
   * As {@link #call}, without waiting: {@code operation} sends and returns its answer to come. The
   * future completes with {@code whenDown} if Redis is down or the call fails, never exceptionally.
   */
  <T> CompletableFuture<T> callAsync(
      String what, Supplier<CompletionStage<T>> operation, T whenDown) {
    if (!resendKept()) {
      return CompletableFuture.completedFuture(whenDown);
    }
    CompletionStage<T> answer;
    try {
      answer = operation.get();
    } catch (RedisException e) {
      failed(what, e);
      return CompletableFuture.completedFuture(whenDown);
    }
    return answer
        .handle(
            (result, failure) -> {
              if (failure == null) {
                outage.succeeded();
                return result;
              }
              Throwable cause =
                  failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              if (cause instanceof RedisException redis) {
                failed(what, redis);
              } else {
                // nobody waits to be told: the caller has moved on
                LOG.warnf(
                    cause,
                    "SessionFactory '%s': Second-level cache: %s failed; the entries stay"
                        + " uncached. Report this with the stack trace",
                    outage.factory(),
                    what);
              }
              return whenDown;
            })
        .toCompletableFuture();
  }

  /** Runs a write; false if Redis is down or failed (the caller decides what to keep). */
  boolean send(String what, Runnable write) {
    return call(
        what,
        () -> {
          write.run();
          return true;
        },
        false);
  }

  /**
   * A read of cached data: as {@link #call}, but a miss without a round trip during the grace
   * period after an outage (other nodes may still be resending what they could not send), and the
   * answer of the call that found Redis back is not served either.
   */
  <T> T read(String what, Supplier<T> operation, T whenDown) {
    if (!outage.isDown() && !outage.mayServe()) {
      return whenDown;
    }
    T result = call(what, operation, whenDown);
    return outage.mayServe() ? result : whenDown;
  }

  /** Sends an invalidating write, or keeps {@code keys} to be invalidated when Redis answers. */
  void invalidateOrKeep(Collection<String> keys, Runnable write) {
    if (!send(
        "invalidating " + (keys.size() == 1 ? "an entry" : keys.size() + " entries"), write)) {
      invalidations.addAll(keys);
    }
  }

  /** Keeps clear keys whose clear could not be sent. */
  void keepClears(Collection<String> clearKeys) {
    clears.addAll(clearKeys);
  }

  /** Keeps the key of an update timestamp that could not be written. */
  void keepTimestamp(String key) {
    timestamps.add(key);
  }

  /** Resends what was kept, if anything; for the region factory's schedule. */
  void resend() {
    if (nothingKept()) {
      return;
    }
    try {
      resendKept();
    } catch (RuntimeException e) {
      // Runs on the factory's scheduler, which would stop calling it; the next cache call retries.
      // not an outage (resendKept reports those to it), so unexpected: with its stack trace
      LOG.warnf(
          e,
          "SessionFactory '%s': second-level cache: resending the invalidations kept during an"
              + " outage failed; they stay kept and are resent every retry interval and before this"
              + " node reads cached data again. If this repeats, fix the cause below (e.g. a Redis"
              + " client shut down while the SessionFactory runs)",
          outage.factory());
    }
  }

  /** The clear step on each key, as one pipeline (one round trip per master). */
  void sendClears(List<String> clearKeys) {
    RBatch batch = client.createBatch(BatchOptions.defaults());
    RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
    for (String clearKey : clearKeys) {
      EntryScript.queue(scripts, RScript.ReturnType.LONG, List.of(clearKey), "clear");
    }
    batch.execute();
  }

  /**
   * A failed call starts (or continues) an outage: what it was to write is kept, reads miss. If it
   * failed because the server had lost {@code entry.lua} ({@code NOSCRIPT}: a replica promoted by a
   * failover has no scripts, and Redisson does not load them inside a pipeline), the script is
   * loaded on every master first, so that the probe after the retry interval succeeds and the
   * outage ends, instead of every pipeline failing until some single call loads it.
   */
  private void failed(String what, RedisException e) {
    try {
      LuaScript.loadAfterNoScript(client, e, EntryScript.ENTRY);
    } catch (RedisException loadFailed) {
      e.addSuppressed(loadFailed);
    }
    outage.failed(what, e);
  }

  private boolean nothingKept() {
    return invalidations.isEmpty() && clears.isEmpty() && timestamps.isEmpty();
  }

  /** True if nothing is kept (any more) and Redis may be tried now. */
  private boolean resendKept() {
    if (!outage.mayTry()) {
      return false;
    }
    if (nothingKept()) {
      return true;
    }
    try {
      List<String> clearKeys = new ArrayList<>(clears);
      if (!clearKeys.isEmpty()) {
        // stamped now: hides everything cached before this resend
        sendClears(clearKeys);
        clearKeys.forEach(clears::remove);
      }
      for (String key : new ArrayList<>(timestamps)) {
        // Now, not the time of the failed write: query results cached by any node before this
        // resend are then older than the update.
        long nowMicros = clock.nowMicros();
        byte[] now = Records.plain(nowMicros, EntryCodec.encode(nowMicros));
        client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).set(now);
        timestamps.remove(key);
      }
      List<String> keys = new ArrayList<>(invalidations);
      if (!keys.isEmpty()) {
        RBatch batch = client.createBatch(BatchOptions.defaults());
        RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
        byte[] ttl = EntryScript.ascii(lockTtlMillis);
        for (String key : keys) {
          EntryScript.queue(scripts, RScript.ReturnType.LONG, List.of(key), "invalidate", ttl);
        }
        batch.execute();
        keys.forEach(invalidations::remove);
      }
      outage.succeeded();
      return true;
    } catch (RedisException e) {
      failed("resending invalidations", e);
      return false;
    }
  }
}
