package dev.coalesce.cache.region;

import dev.coalesce.cache.CacheSettings;
import dev.coalesce.redis.LuaScript;
import dev.coalesce.redis.RedisClock;
import dev.coalesce.redis.ReplicaWait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.hibernate.cache.CacheException;
import org.jboss.logging.Logger;
import org.redisson.Redisson;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.RedisWaitException;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.protocol.RedisCommand;
import org.redisson.client.protocol.RedisCommands;
import org.redisson.command.CommandAsyncExecutor;
import org.redisson.command.CommandBatchService;
import org.redisson.config.NameMapper;

/**
 * Entries in Redis, one key per entry. Reads are {@code GET}/{@code MGET}; every READ_WRITE step is
 * one call of {@code entry.lua}; write-backs of a load are one pipeline.
 *
 * <p>Every read goes to the master, as the {@code entry.lua} steps do: a replica may still hold an
 * item that a writer's lock on the master has replaced, and Redisson reads from replicas by default
 * ({@code ReadMode.SLAVE}), so {@code GET}, {@code MGET} and {@code EXISTS} are sent as Redisson's
 * write commands, which it routes to the key's master whatever the read mode.
 *
 * <p>When Redis does not answer, reads miss and writes are skipped; invalidations that could not be
 * sent (unlocks, after-updates, evictions, region clears, update timestamps of the query cache) are
 * kept and resent before this node reads from Redis again, and by {@link #resendPending()}, which
 * the region factory calls every retry interval, so they reach Redis soon after it answers even on
 * a node that serves nothing. While Redis is down one caller probes per retry interval; the others
 * miss at once (see {@link Outage}, also for the grace period after an outage).
 */
final class RedisEntryStore implements EntryStore {

  private static final Logger LOG = Logger.getLogger(RedisEntryStore.class);

  private static final LuaScript ENTRY = LuaScript.fromResource(RedisEntryStore.class, "entry.lua");
  private static final byte[] LOCK = ascii("lock");
  private static final byte[] UNLOCK = ascii("unlock");
  private static final byte[] INVALIDATE = ascii("invalidate");

  private final RedissonClient client;
  private final RedisClock clock;
  private final Outage outage;
  private final long lockTtlMillis;

  /** Redisson's executor, to send reads to the master; null for a client that is not Redisson. */
  private final CommandAsyncExecutor commands;

  private final boolean cluster;

  private final Set<String> pendingInvalidations = ConcurrentHashMap.newKeySet();
  private final Set<String> pendingPrefixDeletes = ConcurrentHashMap.newKeySet();
  private final Set<String> pendingTimestamps = ConcurrentHashMap.newKeySet();

  /** Replicas a lock must reach before its writer goes on; 0: the master's answer suffices. */
  private final int waitReplicas;

  private final ReplicaWait replicaWait;

  private final Duration waitReplicasTimeout;

  RedisEntryStore(
      RedissonClient client,
      RedisClock clock,
      Outage outage,
      long lockTtlMillis,
      int waitReplicas,
      Duration waitReplicasTimeout) {
    this.waitReplicas = waitReplicas;
    this.replicaWait =
        new ReplicaWait(waitReplicas, waitReplicasTimeout, CacheSettings.WAIT_REPLICAS);
    this.waitReplicasTimeout = waitReplicasTimeout;
    this.client = client;
    this.clock = clock;
    this.outage = outage;
    this.lockTtlMillis = lockTtlMillis;
    this.commands = client instanceof Redisson redisson ? redisson.getCommandExecutor() : null;
    this.cluster = client.getConfig().isClusterConfig();
  }

  @Override
  public long nowMicros() {
    return clock.nowMicros();
  }

  @Override
  public byte[] get(String key) {
    return read(
        "reading an entry",
        () ->
            commands == null
                ? client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).get()
                : onMaster(key, RedisCommands.GET),
        null);
  }

  /** A one-key read command, sent to the key's master (as Redisson sends writes). */
  private <T> T onMaster(String key, RedisCommand<?> command) {
    String mapped = commands.getServiceManager().getNameMapper().map(key);
    RFuture<T> reply = commands.writeAsync(mapped, ByteArrayCodec.INSTANCE, command, mapped);
    return commands.get(reply);
  }

  @Override
  public List<byte[]> getAll(List<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
    List<byte[]> found = read("reading entries", () -> multiGet(keys), null);
    return found != null ? found : Collections.nCopies(keys.size(), null);
  }

  /**
   * One {@code MGET} on the master, its reply kept as the ordered list Redis sends: Redisson's
   * {@code RBuckets} builds a map by streams on its I/O thread, a measurable part of a 100-id load,
   * and reads from replicas. On Redis Cluster, one {@code MGET} per hash slot (a command may not
   * span slots), sent as one batch: one pipeline, so one round trip, per master that holds some of
   * the keys, all masters at once.
   */
  private List<byte[]> multiGet(List<String> keys) {
    if (commands == null) {
      Map<String, byte[]> found =
          client.getBuckets(ByteArrayCodec.INSTANCE).get(keys.toArray(new String[0]));
      List<byte[]> records = new ArrayList<>(keys.size());
      for (String key : keys) {
        records.add(found.get(key));
      }
      return records;
    }
    NameMapper names = commands.getServiceManager().getNameMapper();
    String[] mapped = new String[keys.size()];
    for (int i = 0; i < mapped.length; i++) {
      mapped[i] = names.map(keys.get(i));
    }
    if (!cluster) {
      return multiGetOnMaster(mapped, commands.get(sendMultiGet(mapped)));
    }
    Map<Integer, List<Integer>> bySlot = new java.util.LinkedHashMap<>();
    for (int i = 0; i < mapped.length; i++) {
      bySlot
          .computeIfAbsent(
              commands.getConnectionManager().calcSlot(mapped[i]), slot -> new ArrayList<>())
          .add(i);
    }
    List<List<Integer>> groups = new ArrayList<>(bySlot.values());
    List<RFuture<List<Object>>> replies = new ArrayList<>(groups.size());
    // One pipeline per master: a batch sends the MGETs of all slots a master holds together.
    CommandBatchService batch = new CommandBatchService(commands, BatchOptions.defaults());
    for (List<Integer> group : groups) {
      String[] slotKeys = group.stream().map(i -> mapped[i]).toArray(String[]::new);
      replies.add(
          batch.writeAsync(
              slotKeys[0], ByteArrayCodec.INSTANCE, RedisCommands.MGET, (Object[]) slotKeys));
    }
    batch.execute();
    byte[][] records = new byte[mapped.length][];
    for (int g = 0; g < groups.size(); g++) {
      List<Integer> group = groups.get(g);
      List<byte[]> values =
          multiGetOnMaster(new String[group.size()], commands.get(replies.get(g)));
      for (int i = 0; i < group.size(); i++) {
        records[group.get(i)] = values.get(i);
      }
    }
    return java.util.Arrays.asList(records);
  }

  private RFuture<List<Object>> sendMultiGet(String[] mapped) {
    return commands.writeAsync(
        mapped[0], ByteArrayCodec.INSTANCE, RedisCommands.MGET, (Object[]) mapped);
  }

  private static List<byte[]> multiGetOnMaster(String[] keys, List<Object> values) {
    if (values.size() != keys.length) {
      throw new IllegalStateException(
          "MGET of " + keys.length + " keys answered " + values.size() + " values");
    }
    List<byte[]> records = new ArrayList<>(values.size());
    for (Object value : values) {
      records.add((byte[]) value);
    }
    return records;
  }

  @Override
  public boolean exists(String key) {
    return read(
        "checking an entry",
        () ->
            commands == null
                ? client.getBucket(key).isExists()
                : Boolean.TRUE.equals(onMaster(key, RedisCommands.EXISTS)),
        false);
  }

  @Override
  public void set(String key, byte[] record, long ttlMillis) {
    call(
        "writing an entry",
        () -> {
          if (ttlMillis > 0) {
            client
                .<byte[]>getBucket(key, ByteArrayCodec.INSTANCE)
                .set(record, java.time.Duration.ofMillis(ttlMillis));
          } else {
            client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).set(record);
          }
          return null;
        },
        null);
  }

  @Override
  public void setUpdateTimestamp(String key, byte[] record) {
    if (!callOrRemember(
        key, () -> client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).set(record))) {
      pendingTimestamps.add(key);
    }
  }

  @Override
  public boolean setIfAbsent(String key, byte[] record, long ttlMillis) {
    return call(
        "writing an entry",
        () ->
            ttlMillis > 0
                ? client
                    .<byte[]>getBucket(key, ByteArrayCodec.INSTANCE)
                    .setIfAbsent(record, java.time.Duration.ofMillis(ttlMillis))
                : client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).setIfAbsent(record),
        false);
  }

  @Override
  public void delete(String key) {
    if (!callOrRemember(key, () -> client.getBucket(key).delete())) {
      pendingInvalidations.add(key);
    }
  }

  @Override
  public void deleteIfEquals(String key, byte[] record) {
    call("deleting an undecodable entry", () -> script(key, "delete-if-equals", record), 0L);
  }

  @Override
  public void deleteByPrefix(String prefix) {
    Boolean done =
        call(
            "clearing a region",
            () -> {
              client.getKeys().deleteByPattern(glob(prefix) + "*");
              return true;
            },
            false);
    if (!done) {
      pendingPrefixDeletes.add(prefix);
    }
  }

  @Override
  public void forEachKey(String prefix, java.util.function.Consumer<String> action) {
    client.getKeys().getKeysStreamByPattern(glob(prefix) + "*", 1000).forEach(action);
  }

  @Override
  public String lock(String key, String token, long timeoutMicros, long lockTtlMillis) {
    if (waitReplicas > 0) {
      List<String> held = lockAll(List.of(key), List.of(token), timeoutMicros, lockTtlMillis);
      return held.get(0);
    }
    byte[] held =
        call(
            "locking an entry",
            () ->
                ENTRY.<byte[]>eval(
                    script(),
                    RScript.Mode.READ_WRITE,
                    RScript.ReturnType.VALUE,
                    List.of(key),
                    ascii("lock"),
                    ascii(token),
                    ascii(Long.toString(timeoutMicros)),
                    ascii(Long.toString(lockTtlMillis))),
            null);
    return held == null ? null : new String(held, StandardCharsets.US_ASCII);
  }

  @Override
  public void unlock(String key, String token, long lockTtlMillis) {
    if (token == null) {
      invalidate(key, lockTtlMillis);
      return;
    }
    if (!callOrRemember(
        key, () -> script(key, "unlock", ascii(token), ascii(Long.toString(lockTtlMillis))))) {
      pendingInvalidations.add(key);
    }
  }

  @Override
  public List<String> lockAll(
      List<String> keys, List<String> tokens, long timeoutMicros, long lockTtlMillis) {
    if (keys.isEmpty()) {
      return List.of();
    }
    List<RFuture<byte[]>> held = new ArrayList<>(keys.size());
    boolean sent =
        call(
            "locking " + keys.size() + " entries",
            () -> {
              RBatch batch = client.createBatch(replicated());
              RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
              byte[] timeout = ascii(Long.toString(timeoutMicros));
              byte[] ttl = ascii(Long.toString(lockTtlMillis));
              for (int i = 0; i < keys.size(); i++) {
                held.add(
                    ENTRY.evalAsync(
                        scripts,
                        RScript.Mode.READ_WRITE,
                        RScript.ReturnType.VALUE,
                        List.of(keys.get(i)),
                        LOCK,
                        ascii(tokens.get(i)),
                        timeout,
                        ttl));
              }
              executeReplicated(batch, keys);
              return true;
            },
            false);
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
    boolean sent =
        call(
            "unlocking " + keys.size() + " entries",
            () -> {
              RBatch batch = client.createBatch(BatchOptions.defaults());
              RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
              byte[] ttl = ascii(Long.toString(lockTtlMillis));
              for (int i = 0; i < keys.size(); i++) {
                String token = tokens.get(i);
                // A lock never taken (Redis was down) is released as per-key unlock does: by an
                // invalidation.
                if (token == null) {
                  ENTRY.evalAsync(
                      scripts,
                      RScript.Mode.READ_WRITE,
                      RScript.ReturnType.LONG,
                      List.of(keys.get(i)),
                      INVALIDATE,
                      ttl);
                } else {
                  ENTRY.evalAsync(
                      scripts,
                      RScript.Mode.READ_WRITE,
                      RScript.ReturnType.LONG,
                      List.of(keys.get(i)),
                      UNLOCK,
                      ascii(token),
                      ttl);
                }
              }
              batch.execute();
              return true;
            },
            false);
    if (!sent) {
      pendingInvalidations.addAll(keys);
    }
  }

  @Override
  public void deleteAll(List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    boolean sent =
        call(
            "deleting " + keys.size() + " entries",
            () -> {
              client.getKeys().delete(keys.toArray(new String[0]));
              return true;
            },
            false);
    if (!sent) {
      pendingInvalidations.addAll(keys);
    }
  }

  @Override
  public boolean afterUpdate(
      String key,
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
    boolean sent =
        callOrRemember(
            key,
            () ->
                result[0] =
                    script(
                        key,
                        "after-update",
                        ascii(token),
                        ascii(Long.toString(lockTtlMillis)),
                        ascii(version),
                        payload,
                        ascii(Long.toString(ttlMillis))));
    if (!sent) {
      pendingInvalidations.add(key);
      return false;
    }
    return result[0] != null && result[0] == 1L;
  }

  @Override
  public boolean afterInsert(String key, String version, byte[] payload, long ttlMillis) {
    return call(
            "caching an inserted entry",
            () ->
                script(
                    key, "after-insert", ascii(version), payload, ascii(Long.toString(ttlMillis))),
            0L)
        == 1L;
  }

  @Override
  public void invalidate(String key, long lockTtlMillis) {
    if (!callOrRemember(
        key, () -> script(key, "invalidate", ascii(Long.toString(lockTtlMillis))))) {
      pendingInvalidations.add(key);
    }
  }

  @Override
  public void removeUnlessLocked(String key) {
    if (!callOrRemember(key, () -> script(key, "remove"))) {
      pendingInvalidations.add(key);
    }
  }

  @Override
  public boolean putFromLoad(
      String key,
      long startedMicros,
      byte[] item,
      long ttlMillis,
      long maxAgeMicros,
      boolean minimalPut) {
    return call(
            "caching a loaded entry",
            () ->
                script(
                    key,
                    "put-from-load",
                    ascii(Long.toString(startedMicros)),
                    item,
                    ascii(Long.toString(ttlMillis)),
                    ascii(Long.toString(maxAgeMicros)),
                    ascii(minimalPut ? "1" : "0")),
            0L)
        == 1L;
  }

  @Override
  public List<Boolean> writeAll(List<Write> writes) {
    if (writes.isEmpty()) {
      return List.of();
    }
    return call(
        "caching " + writes.size() + " loaded entries",
        () -> {
          RBatch batch = client.createBatch(BatchOptions.defaults());
          RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
          List<RFuture<?>> replies = new ArrayList<>(writes.size());
          for (Write write : writes) {
            if (write instanceof AddIfAbsent add) {
              if (add.ttlMillis() > 0) {
                replies.add(
                    batch
                        .<byte[]>getBucket(add.key(), ByteArrayCodec.INSTANCE)
                        .setIfAbsentAsync(
                            add.record(), java.time.Duration.ofMillis(add.ttlMillis())));
              } else {
                replies.add(
                    batch
                        .<byte[]>getBucket(add.key(), ByteArrayCodec.INSTANCE)
                        .setIfAbsentAsync(add.record()));
              }
            } else if (write instanceof PutFromLoad put) {
              replies.add(
                  ENTRY.evalAsync(
                      scripts,
                      RScript.Mode.READ_WRITE,
                      RScript.ReturnType.LONG,
                      List.of(put.key()),
                      ascii("put-from-load"),
                      ascii(Long.toString(put.startedMicros())),
                      put.item(),
                      ascii(Long.toString(put.ttlMillis())),
                      ascii(Long.toString(put.maxAgeMicros())),
                      ascii(put.minimalPut() ? "1" : "0")));
            }
          }
          batch.execute();
          List<Boolean> stored = new ArrayList<>(replies.size());
          for (RFuture<?> reply : replies) {
            Object answer = reply.toCompletableFuture().join();
            stored.add(Boolean.TRUE.equals(answer) || Long.valueOf(1L).equals(answer));
          }
          return stored;
        },
        Collections.nCopies(writes.size(), false));
  }

  @Override
  public void close() {
    // The client belongs to the shared RedisConnection service, which shuts it down.
  }

  private RScript script() {
    return client.getScript(ByteArrayCodec.INSTANCE);
  }

  private Long script(String key, String step, Object... args) {
    Object[] all = new Object[args.length + 1];
    all[0] = ascii(step);
    System.arraycopy(args, 0, all, 1, args.length);
    return ENTRY.eval(
        script(), RScript.Mode.READ_WRITE, RScript.ReturnType.LONG, List.of(key), all);
  }

  /** Runs an invalidating write; false if Redis is down (the caller remembers the key). */
  private boolean callOrRemember(String key, Runnable write) {
    return call(
        "invalidating an entry",
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
  private <T> T read(String what, Supplier<T> operation, T whenDown) {
    if (!outage.isDown() && !outage.mayServe()) {
      return whenDown;
    }
    T result = call(what, operation, whenDown);
    return outage.mayServe() ? result : whenDown;
  }

  @Override
  public void resendPending() {
    if (pendingInvalidations.isEmpty()
        && pendingPrefixDeletes.isEmpty()
        && pendingTimestamps.isEmpty()) {
      return;
    }
    try {
      resendPendingInvalidations();
    } catch (RuntimeException e) {
      // Runs on the factory's scheduler, which would stop calling it; the next cache call retries.
      LOG.warnf(e, "Second-level cache: resending invalidations failed");
    }
  }

  private <T> T call(String what, Supplier<T> operation, T whenDown) {
    if (!resendPendingInvalidations()) {
      return whenDown;
    }
    try {
      T result = operation.get();
      outage.succeeded();
      return result;
    } catch (RedisException e) {
      outage.failed(what, e);
      return whenDown;
    }
  }

  /** True if nothing is pending (any more) and Redis may be tried now. */
  private boolean resendPendingInvalidations() {
    if (!outage.mayTry()) {
      return false;
    }
    if (pendingInvalidations.isEmpty()
        && pendingPrefixDeletes.isEmpty()
        && pendingTimestamps.isEmpty()) {
      return true;
    }
    try {
      for (String prefix : new ArrayList<>(pendingPrefixDeletes)) {
        client.getKeys().deleteByPattern(glob(prefix) + "*");
        pendingPrefixDeletes.remove(prefix);
      }
      for (String key : new ArrayList<>(pendingTimestamps)) {
        // Now, not the time of the failed write: query results cached by any node before this
        // resend are then older than the update.
        byte[] now = Records.plain(EntryCodec.encode(clock.nowMicros()));
        client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).set(now);
        pendingTimestamps.remove(key);
      }
      List<String> keys = new ArrayList<>(pendingInvalidations);
      if (!keys.isEmpty()) {
        RBatch batch = client.createBatch(BatchOptions.defaults());
        RScriptAsync scripts = batch.getScript(ByteArrayCodec.INSTANCE);
        for (String key : keys) {
          ENTRY.evalAsync(
              scripts,
              RScript.Mode.READ_WRITE,
              RScript.ReturnType.LONG,
              List.of(key),
              ascii("invalidate"),
              ascii(Long.toString(lockTtlMillis)));
        }
        batch.execute();
        keys.forEach(pendingInvalidations::remove);
      }
      outage.succeeded();
      return true;
    } catch (RedisException e) {
      outage.failed("resending invalidations", e);
      return false;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Escapes glob characters of a key prefix for SCAN MATCH. */
  private static String glob(String prefix) {
    return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }
}
