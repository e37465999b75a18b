package dev.coalesce.cache.internal;

import static dev.coalesce.cache.internal.EntryScript.ascii;
import static dev.coalesce.cache.internal.EntryScript.keys;

import dev.coalesce.cache.CacheSettings;
import dev.coalesce.redis.internal.RedisClock;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.redis.internal.ReplicaWait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.hibernate.cache.CacheException;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.client.RedisWaitException;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * Entries in Redis, one key per entry. Reads are {@code GET}/{@code MGET} on the master ({@link
 * MasterReads}); every READ_WRITE step is one call of {@code entry.lua} ({@link EntryScript});
 * write-backs of a load and the steps of a bulk lock are one pipeline each. Every call goes through
 * {@link RedisCalls}: when Redis does not answer, reads miss, writes are skipped, and invalidations
 * are kept and resent.
 *
 * <p>Longer than our usual 250 lines because it is one method per {@link EntryStore} step, each a
 * few lines of argument marshalling; the rules live in {@code entry.lua}.
 */
final class RedisEntryStore implements EntryStore {

  private final RedissonClient client;
  private final RedisClock clock;
  private final MasterReads reads;
  private final RedisCalls calls;

  private final WriteBacks writeBacks;

  /** Replicas a lock must reach before its writer goes on; 0: the master's answer suffices. */
  private final int waitReplicas;

  private final ReplicaWait replicaWait;
  private final Duration waitReplicasTimeout;

  RedisEntryStore(
      RedissonClient client,
      RedisClock clock,
      RedisOutage outage,
      long lockTtlMillis,
      int waitReplicas,
      Duration waitReplicasTimeout) {
    this.client = client;
    this.clock = clock;
    this.reads = new MasterReads(client);
    this.calls = new RedisCalls(client, clock, outage, lockTtlMillis);
    this.writeBacks = new WriteBacks(client, calls);
    this.waitReplicas = waitReplicas;
    this.replicaWait =
        new ReplicaWait(waitReplicas, waitReplicasTimeout, CacheSettings.WAIT_REPLICAS);
    this.waitReplicasTimeout = waitReplicasTimeout;
  }

  @Override
  public long nowMicros() {
    return clock.nowMicros();
  }

  @Override
  public byte[] get(String key) {
    writeBacks.awaitWritesOf(List.of(key));
    return calls.read("reading an entry", () -> reads.get(key), null);
  }

  @Override
  public List<byte[]> getAll(List<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    writeBacks.awaitWritesOf(keys);
    List<byte[]> found = calls.read("reading entries", () -> reads.getAll(keys), null);
    return found != null ? found : Collections.nCopies(keys.size(), null);
  }

  @Override
  public void set(String key, byte[] record, long ttlMillis) {
    calls.send(
        "writing an entry",
        () -> {
          if (ttlMillis > 0) {
            client
                .<byte[]>getBucket(key, ByteArrayCodec.INSTANCE)
                .set(record, Duration.ofMillis(ttlMillis));
          } else {
            client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).set(record);
          }
        });
  }

  @Override
  public void setUpdateTimestamp(String key, byte[] record) {
    if (!calls.send(
        "writing an update timestamp",
        () -> client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).set(record))) {
      calls.keepTimestamp(key);
    }
  }

  @Override
  public void resendPending() {
    calls.resend();
  }

  @Override
  public void deleteIfEquals(String key, byte[] record) {
    calls.call(
        "deleting an undecodable entry",
        () -> EntryScript.run(client, List.of(key), "delete-if-equals", record),
        0L);
  }

  @Override
  public void clear(List<String> clearKeys) {
    if (!calls.send("clearing a region", () -> calls.sendClears(clearKeys))) {
      calls.keepClears(clearKeys);
    }
  }

  @Override
  public void forEachKey(String prefix, java.util.function.Consumer<String> action) {
    // glob characters of the prefix escaped for SCAN MATCH
    String pattern = prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "*";
    client
        .getKeys()
        .getKeysStream(KeysScanOptions.defaults().pattern(pattern).chunkSize(1000))
        .forEach(action);
  }

  @Override
  public String lock(String key, String token, long timeoutMicros, long lockTtlMillis) {
    if (waitReplicas > 0) {
      return lockAll(List.of(key), List.of(token), timeoutMicros, lockTtlMillis).get(0);
    }
    byte[] held =
        calls.call(
            "locking an entry",
            () ->
                EntryScript.lock(
                    client, key, ascii(token), ascii(timeoutMicros), ascii(lockTtlMillis)),
            null);
    return held == null ? null : new String(held, StandardCharsets.US_ASCII);
  }

  @Override
  public void unlock(String key, String token, long lockTtlMillis) {
    if (token == null) {
      invalidate(key, lockTtlMillis);
      return;
    }
    calls.invalidateOrKeep(
        List.of(key),
        () -> EntryScript.run(client, List.of(key), "unlock", ascii(token), ascii(lockTtlMillis)));
  }

  @Override
  public List<String> lockAll(
      List<String> keys, List<String> tokens, long timeoutMicros, long lockTtlMillis) {
    if (keys.isEmpty()) {
      return List.of();
    }
    List<RFuture<byte[]>> held = new ArrayList<>(keys.size());
    boolean sent =
        calls.send(
            "locking " + keys.size() + " entries",
            () -> {
              RBatch batch = client.createBatch(replicated());
              RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
              byte[] timeout = ascii(timeoutMicros);
              byte[] ttl = ascii(lockTtlMillis);
              for (int i = 0; i < keys.size(); i++) {
                held.add(
                    EntryScript.queue(
                        scripts,
                        RScript.ReturnType.VALUE,
                        List.of(keys.get(i)),
                        "lock",
                        ascii(tokens.get(i)),
                        timeout,
                        ttl));
              }
              executeReplicated(batch, keys);
            });
    List<String> result = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      byte[] token = sent ? held.get(i).toCompletableFuture().getNow(null) : null;
      result.add(token == null ? null : new String(token, StandardCharsets.US_ASCII));
    }
    return result;
  }

  /**
   * Batch options of lock steps: with {@code waitReplicas > 0} the batch ends with {@code WAIT}
   * (Redisson fails it if fewer replicas acknowledged in time) and is never resent (a lock step run
   * twice would join its own lock).
   */
  private BatchOptions replicated() {
    return waitReplicas == 0
        ? BatchOptions.defaults()
        : replicaWait.apply(BatchOptions.defaults().retryAttempts(0));
  }

  /**
   * Runs a batch of lock steps. Locks that fewer than {@code waitReplicas} replicas acknowledged
   * fail the write: a failover to such a replica would bring back the value before it, without a
   * lock, while the writer's transaction commits a newer one. Not an outage, so not a miss.
   */
  private void executeReplicated(RBatch batch, List<String> keys) {
    RedisWaitException shortfall;
    try {
      replicaWait.execute(batch);
      return;
    } catch (RedisWaitException e) {
      shortfall = e;
    }
    throw new CacheException(
        "Second-level cache: the lock of "
            + (keys.size() == 1 ? keys.get(0) : keys.size() + " entries")
            + " reached fewer than "
            + waitReplicas
            + " replica(s) within "
            + waitReplicasTimeout
            + " ("
            + CacheSettings.WAIT_REPLICAS
            + "); the write is refused, as a failover to a replica without the lock could"
            + " serve the value before it",
        shortfall);
  }

  @Override
  public void unlockAll(List<String> keys, List<String> tokens, long lockTtlMillis) {
    if (keys.isEmpty()) {
      return;
    }
    calls.invalidateOrKeep(
        keys,
        () -> {
          RBatch batch = client.createBatch(BatchOptions.defaults());
          RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
          byte[] ttl = ascii(lockTtlMillis);
          for (int i = 0; i < keys.size(); i++) {
            String token = tokens.get(i);
            List<Object> key = List.of(keys.get(i));
            // A lock never taken (Redis was down) is released as per-key unlock does: by an
            // invalidation.
            if (token == null) {
              EntryScript.queue(scripts, RScript.ReturnType.LONG, key, "invalidate", ttl);
            } else {
              EntryScript.queue(scripts, RScript.ReturnType.LONG, key, "unlock", ascii(token), ttl);
            }
          }
          batch.execute();
        });
  }

  @Override
  public boolean afterUpdate(
      String key,
      String clearKey,
      String token,
      String version,
      byte[] payload,
      long ttlMillis,
      long lockTtlMillis) {
    if (token == null) {
      invalidate(key, lockTtlMillis);
      return false;
    }
    Long[] result = new Long[1];
    calls.invalidateOrKeep(
        List.of(key),
        () ->
            result[0] =
                EntryScript.run(
                    client,
                    keys(key, clearKey),
                    "after-update",
                    ascii(token),
                    ascii(lockTtlMillis),
                    ascii(version),
                    payload,
                    ascii(ttlMillis)));
    return result[0] != null && result[0] == 1L;
  }

  @Override
  public boolean afterInsert(
      String key,
      String clearKey,
      long startedMicros,
      String version,
      byte[] payload,
      long ttlMillis) {
    return calls.call(
            "caching an inserted entry",
            () ->
                EntryScript.run(
                    client,
                    keys(key, clearKey),
                    "after-insert",
                    ascii(version),
                    payload,
                    ascii(ttlMillis),
                    ascii(startedMicros)),
            0L)
        == 1L;
  }

  @Override
  public void invalidate(String key, long lockTtlMillis) {
    calls.invalidateOrKeep(
        List.of(key),
        () -> EntryScript.run(client, List.of(key), "invalidate", ascii(lockTtlMillis)));
  }

  @Override
  public void removeUnlessLocked(String key) {
    calls.invalidateOrKeep(List.of(key), () -> EntryScript.run(client, List.of(key), "remove"));
  }

  @Override
  public boolean putFromLoad(
      String key,
      String clearKey,
      long startedMicros,
      byte[] item,
      long ttlMillis,
      long maxAgeMicros,
      boolean minimalPut) {
    return calls.call(
            "caching a loaded entry",
            () ->
                EntryScript.run(
                    client,
                    keys(key, clearKey),
                    "put-from-load",
                    ascii(startedMicros),
                    item,
                    ascii(ttlMillis),
                    ascii(maxAgeMicros),
                    ascii(minimalPut ? "1" : "0")),
            0L)
        == 1L;
  }

  /**
   * The write-backs of a load, sent by {@link WriteBacks}: one script call per region clear key,
   * not waited for.
   */
  @Override
  public CompletableFuture<List<Boolean>> writeAllAsync(
      List<Write> writes, Consumer<List<Boolean>> onAnswer) {
    return writeBacks.send(writes, onAnswer);
  }

  @Override
  public boolean awaitWriteBacks() {
    return writeBacks.awaitAll();
  }

  /** Lets the write-backs in flight land before the shared client shuts down. */
  @Override
  public void close() {
    writeBacks.close();
    // The client belongs to the shared RedisConnection service, which shuts it down.
  }
}
