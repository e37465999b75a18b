package dev.coalesce.cache.internal.region;

import static dev.coalesce.cache.internal.region.EntryScript.ascii;
import static dev.coalesce.cache.internal.region.EntryScript.keys;

import dev.coalesce.cache.CacheSettings;
import dev.coalesce.redis.internal.RedisClock;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.redis.internal.ReplicaWait;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.hibernate.cache.CacheException;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
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

  /** Replicas a lock must reach before its writer goes on; 0: the master's answer suffices. */
  /** Write-backs sent and not answered yet, by key (see {@link #writeAllAsync}). */
  private final Map<String, CompletableFuture<?>> writesInFlight = new ConcurrentHashMap<>();

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
    awaitWritesOf(List.of(key));
    return calls.read("reading an entry", () -> reads.get(key), null);
  }

  @Override
  public List<byte[]> getAll(List<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    awaitWritesOf(keys);
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
  public void delete(String key) {
    calls.invalidateOrKeep(List.of(key), () -> client.getBucket(key).delete());
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
    client.getKeys().getKeysStreamByPattern(pattern, 1000).forEach(action);
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
  public void deleteAll(List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    calls.invalidateOrKeep(keys, () -> client.getKeys().delete(keys.toArray(new String[0])));
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
   * The write-backs of a load: one {@code many} step of {@code entry.lua} per region clear key (per
   * region, and per hash tag on a cluster, so one hash slot each), all in one pipeline. One script
   * call for the whole load instead of one per entry: Redis runs the steps in one Lua call, and the
   * client encodes one command.
   */
  @Override
  public CompletableFuture<List<Boolean>> writeAllAsync(
      List<Write> writes, Consumer<List<Boolean>> onAnswer) {
    if (writes.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    Map<String, List<Integer>> byClearKey = new LinkedHashMap<>();
    for (int i = 0; i < writes.size(); i++) {
      byClearKey.computeIfAbsent(clearKeyOf(writes.get(i)), k -> new ArrayList<>()).add(i);
    }
    CompletableFuture<List<Boolean>> answer =
        calls
            .callAsync(
                "caching " + writes.size() + " loaded entries",
                () -> {
                  RBatch batch = client.createBatch(BatchOptions.defaults());
                  RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
                  List<RFuture<List<Object>>> replies = new ArrayList<>(byClearKey.size());
                  for (Map.Entry<String, List<Integer>> group : byClearKey.entrySet()) {
                    List<Object> keys = new ArrayList<>(group.getValue().size() + 1);
                    keys.add(group.getKey());
                    List<Write> steps = new ArrayList<>(group.getValue().size());
                    for (int i : group.getValue()) {
                      keys.add(writes.get(i).key());
                      steps.add(writes.get(i));
                    }
                    replies.add(
                        EntryScript.queue(
                            scripts, RScript.ReturnType.LIST, keys, "many", manySteps(steps)));
                  }
                  return batch
                      .executeAsync()
                      .thenApply(
                          done -> {
                            Boolean[] stored = new Boolean[writes.size()];
                            int g = 0;
                            for (List<Integer> group : byClearKey.values()) {
                              List<Object> answers = replies.get(g++).toCompletableFuture().join();
                              for (int k = 0; k < group.size(); k++) {
                                stored[group.get(k)] = Long.valueOf(1L).equals(answers.get(k));
                              }
                            }
                            return Arrays.asList(stored);
                          });
                },
                Collections.nCopies(writes.size(), false))
            .thenApply(
                stored -> {
                  onAnswer.accept(stored);
                  return stored;
                });
    if (!answer.isDone()) {
      for (Write write : writes) {
        writesInFlight.put(write.key(), answer);
      }
      answer.whenComplete(
          (stored, failure) -> writes.forEach(write -> writesInFlight.remove(write.key(), answer)));
    }
    return answer;
  }

  /**
   * Waits for this node's write-backs of {@code keys} still in flight: a load's write-backs are not
   * waited for by the loader, and this node reads its own writes.
   */
  private void awaitWritesOf(List<String> keys) {
    if (writesInFlight.isEmpty()) {
      return;
    }
    for (String key : keys) {
      CompletableFuture<?> write = writesInFlight.get(key);
      if (write != null) {
        write.join();
      }
    }
  }

  private static String clearKeyOf(Write write) {
    String clearKey = write.clearKey();
    if (clearKey == null) {
      throw new IllegalArgumentException("A write-back without its region's clear key: " + write);
    }
    return clearKey;
  }

  /** Bytes of one step's header in a {@code many} call, see {@code entry.lua}. */
  private static final int MANY_HEADER = 1 + 16 + 16 + 16 + 1 + 8;

  /**
   * The steps of a {@code many} call as its one argument: per step a fixed header (kind, start,
   * ttl, maximum age, minimal put, record length) and the record, as {@code entry.lua} reads them.
   */
  static byte[] manySteps(List<Write> writes) {
    int size = 0;
    for (Write write : writes) {
      size += MANY_HEADER + write.record().length;
    }
    ByteBuffer steps = ByteBuffer.allocate(size);
    for (Write write : writes) {
      byte[] record = write.record();
      char kind = 'r';
      long maxAgeMicros = 0;
      boolean minimalPut = false;
      if (write instanceof PutFromLoad put) {
        kind = 'p';
        maxAgeMicros = put.maxAgeMicros();
        minimalPut = put.minimalPut();
      } else if (write instanceof AddIfAbsent) {
        kind = 'a';
      }
      steps.put((byte) kind);
      steps.put(ascii(Records.pad16(write.startedMicros())));
      steps.put(ascii(Records.pad16(Math.max(0, write.ttlMillis()))));
      steps.put(ascii(Records.pad16(maxAgeMicros)));
      steps.put((byte) (minimalPut ? '1' : '0'));
      steps.put(ascii(Records.pad16(record.length).substring(8)));
      steps.put(record);
    }
    return steps.array();
  }

  @Override
  public void awaitWriteBacks() {
    for (CompletableFuture<?> write : List.copyOf(writesInFlight.values())) {
      write.join();
    }
  }

  /** Lets the write-backs in flight land before the shared client shuts down. */
  @Override
  public void close() {
    awaitWriteBacks();
    // The client belongs to the shared RedisConnection service, which shuts it down.
  }
}
