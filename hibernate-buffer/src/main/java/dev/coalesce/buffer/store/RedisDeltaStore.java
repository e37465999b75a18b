package dev.coalesce.buffer.store;

import dev.coalesce.redis.KeyNamespace;
import dev.coalesce.redis.LuaScript;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;

/**
 * Deltas kept in Redis, shared by every node. Per partition {@code p}, all keys carry the hash tag
 * {@code {p<p>}} so one script may touch them all on Redis Cluster:
 *
 * <ul>
 *   <li>{@code <ns>:buf:{p<p>}:live}: hash, field {@code entity|attribute|id}, value the delta
 *   <li>{@code <ns>:buf:{p<p>}:inflight}: the claim being flushed: the same fields plus {@code seq}
 *       (its sequence number) and {@code since}
 *   <li>{@code <ns>:buf:{p<p>}:seq}: the partition's last sequence number
 *   <li>{@code <ns>:buf:{p<p>}:since}: Redis time in ms of the oldest live delta
 *   <li>{@code <ns>:buf:{p<p>}:push:<uuid>}: marks a push as applied for a while, so a push retried
 *       after an ambiguous error (a timeout) applies once
 * </ul>
 */
final class RedisDeltaStore implements DeltaStore {

  private static final Logger LOG = Logger.getLogger(RedisDeltaStore.class);

  private static final LuaScript PUSH = LuaScript.fromResource(RedisDeltaStore.class, "push.lua");
  private static final LuaScript CLAIM = LuaScript.fromResource(RedisDeltaStore.class, "claim.lua");
  private static final LuaScript ACK = LuaScript.fromResource(RedisDeltaStore.class, "ack.lua");
  private static final LuaScript PENDING =
      LuaScript.fromResource(RedisDeltaStore.class, "pending.lua");
  private static final LuaScript OLDEST =
      LuaScript.fromResource(RedisDeltaStore.class, "oldest.lua");

  /** How long a push id is remembered: far longer than any retry of that push. */
  static final Duration PUSH_MARKER_TTL = Duration.ofMinutes(2);

  private static final int PUSH_ATTEMPTS = 3;

  private final RedissonClient client;
  private final KeyNamespace keys;
  private final int partitions;

  RedisDeltaStore(RedissonClient client, KeyNamespace keys, int partitions) {
    this.client = client;
    this.keys = keys;
    this.partitions = partitions;
  }

  @Override
  public int partitions() {
    return partitions;
  }

  @Override
  public void push(Map<CounterKey, Long> deltas) {
    Map<Integer, List<Object>> argsByPartition = new HashMap<>();
    deltas.forEach(
        (key, delta) -> {
          if (delta != 0) {
            List<Object> args =
                argsByPartition.computeIfAbsent(
                    key.partition(partitions),
                    p -> {
                      List<Object> list = new ArrayList<>();
                      list.add(Long.toString(PUSH_MARKER_TTL.toMillis()));
                      return list;
                    });
            args.add(key.encode());
            args.add(Long.toString(delta));
          }
        });
    if (argsByPartition.isEmpty()) {
      return;
    }
    String pushId = UUID.randomUUID().toString();
    boolean maybeSent = false;
    for (int attempt = 1; ; attempt++) {
      RBatch batch = client.createBatch(BatchOptions.defaults());
      RScriptAsync script = batch.getScript(StringCodec.INSTANCE);
      argsByPartition.forEach(
          (partition, args) ->
              PUSH.evalAsync(
                  script,
                  RScript.Mode.READ_WRITE,
                  RScript.ReturnType.LONG,
                  List.of(live(partition), since(partition), key(partition, "push", pushId)),
                  args.toArray()));
      try {
        batch.execute();
        return;
      } catch (RedisException e) {
        if (!maybeSent && neverConnected(e)) {
          throw new StoreUnreachableException(
              "Redis unreachable; nothing of push " + pushId + " was sent", e);
        }
        // a timeout after sending is ambiguous: retry the same push id, never fall back to SQL
        maybeSent = true;
        if (attempt >= PUSH_ATTEMPTS) {
          throw e;
        }
        LOG.debugf(e, "Retrying push %s (attempt %d)", pushId, attempt + 1);
      }
    }
  }

  /** Whether the error proves no connection existed, so no command left this process. */
  static boolean neverConnected(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof RedisConnectionException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Optional<Claim> claim(int partition, int maxRows, long seqFloor) {
    List<Object> reply =
        CLAIM.eval(
            client.getScript(StringCodec.INSTANCE),
            RScript.Mode.READ_WRITE,
            RScript.ReturnType.LIST,
            claimKeys(partition),
            Integer.toString(maxRows),
            Long.toString(seqFloor));
    return toClaim(partition, reply);
  }

  @Override
  public List<Optional<Claim>> claimAll(BitSet which, int maxRows, long[] seqFloors) {
    RBatch batch = client.createBatch(BatchOptions.defaults());
    RScriptAsync script = batch.getScript(StringCodec.INSTANCE);
    List<RFuture<List<Object>>> replies = new ArrayList<>(partitions);
    for (int partition = 0; partition < partitions; partition++) {
      if (!which.get(partition)) {
        replies.add(null);
        continue;
      }
      replies.add(
          CLAIM.evalAsync(
              script,
              RScript.Mode.READ_WRITE,
              RScript.ReturnType.LIST,
              claimKeys(partition),
              Integer.toString(maxRows),
              Long.toString(seqFloors[partition])));
    }
    if (!which.isEmpty()) {
      batch.execute();
    }
    List<Optional<Claim>> claims = new ArrayList<>(partitions);
    for (int partition = 0; partition < partitions; partition++) {
      RFuture<List<Object>> reply = replies.get(partition);
      claims.add(
          reply == null
              ? Optional.empty()
              : toClaim(partition, reply.toCompletableFuture().join()));
    }
    return claims;
  }

  private List<Object> claimKeys(int partition) {
    return List.of(live(partition), inflight(partition), key(partition, "seq"), since(partition));
  }

  private Optional<Claim> toClaim(int partition, List<Object> reply) {
    if (reply == null || reply.isEmpty()) {
      return Optional.empty();
    }
    Map<CounterKey, Long> deltas = new HashMap<>();
    long seq = 0;
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      String field = String.valueOf(reply.get(i));
      long value = Long.parseLong(String.valueOf(reply.get(i + 1)));
      if (field.equals("seq")) {
        seq = value;
      } else {
        CounterKey key = CounterKey.decode(field);
        if (key != null) {
          deltas.put(key, value);
        }
      }
    }
    if (seq == 0) {
      throw new IllegalStateException(
          "In-flight hash " + inflight(partition) + " carries no sequence number");
    }
    return Optional.of(new Claim(partition, seq, Map.copyOf(deltas)));
  }

  @Override
  public void ack(int partition, long seq) {
    ACK.eval(
        client.getScript(StringCodec.INSTANCE),
        RScript.Mode.READ_WRITE,
        RScript.ReturnType.LONG,
        List.of(inflight(partition)),
        Long.toString(seq));
  }

  @Override
  public PendingDelta pending(CounterKey key) {
    int partition = key.partition(partitions);
    List<Object> reply =
        PENDING.eval(
            client.getScript(StringCodec.INSTANCE),
            RScript.Mode.READ_ONLY,
            RScript.ReturnType.LIST,
            List.of(live(partition), inflight(partition)),
            key.encode());
    return new PendingDelta(number(reply.get(0)), number(reply.get(1)), number(reply.get(2)));
  }

  @Override
  public OptionalLong oldestPendingAgeMillis() {
    RBatch batch = client.createBatch(BatchOptions.defaults());
    RScriptAsync script = batch.getScript(StringCodec.INSTANCE);
    List<RFuture<Object>> ages = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      ages.add(
          OLDEST.evalAsync(
              script,
              RScript.Mode.READ_ONLY,
              RScript.ReturnType.LONG,
              List.of(since(p), inflight(p))));
    }
    batch.execute();
    long oldest = -1;
    for (RFuture<Object> age : ages) {
      oldest = Math.max(oldest, number(age.toCompletableFuture().join()));
    }
    return oldest < 0 ? OptionalLong.empty() : OptionalLong.of(oldest);
  }

  @Override
  public void close() {
    // the client belongs to the shared RedisConnection, which closes it after the factory
  }

  private String live(int partition) {
    return key(partition, "live");
  }

  private String inflight(int partition) {
    return key(partition, "inflight");
  }

  private String since(int partition) {
    return key(partition, "since");
  }

  private String key(int partition, String... rest) {
    String[] parts = new String[rest.length + 2];
    parts[0] = "buf";
    parts[1] = "{p" + partition + "}";
    System.arraycopy(rest, 0, parts, 2, rest.length);
    return keys.key(parts);
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
  }
}
