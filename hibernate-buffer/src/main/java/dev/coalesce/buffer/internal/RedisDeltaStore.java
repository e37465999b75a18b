package dev.coalesce.buffer.internal;

import dev.coalesce.buffer.BufferSettings;
import dev.coalesce.buffer.PartitionBacklog;
import dev.coalesce.redis.internal.KeyNamespace;
import dev.coalesce.redis.internal.LuaScript;
import dev.coalesce.redis.internal.RedisOutage;
import dev.coalesce.redis.internal.ReplicaWait;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.WriteRedisConnectionException;
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
 *   <li>{@code <ns>:buf:{p<p>}:node:<node>}: the number of the last push of that node applied here,
 *       kept {@link #NODE_MARKER_TTL} after its last push, so a push sent again after an ambiguous
 *       failure (a timeout, a broken connection) applies once
 *   <li>{@code <ns>:buf:{p<p>}:epoch}: a random id set when the partition is first used; a new one
 *       tells that Redis lost the partition's data
 * </ul>
 *
 * <p>Over our usual 250 lines: one method per {@link DeltaStore} operation, each a Redis call and
 * the decoding of its reply; the protocol itself is in the Lua scripts next to this class.
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

  private static final LuaScript EPOCH = LuaScript.fromResource(RedisDeltaStore.class, "epoch.lua");

  /** Every script this store sends in pipelines: loaded at start, and again after a NOSCRIPT. */
  private static final LuaScript[] PIPELINED = {PUSH, CLAIM, ACK, PENDING, OLDEST, EPOCH};

  /**
   * How long Redis remembers a node's last push number after that node's last push. A push in doubt
   * is settled by sending it again within this time; the pusher gives up before (see {@link
   * #NODE_MARKER_TTL}'s use in {@code Pusher}).
   */
  public static final Duration NODE_MARKER_TTL = Duration.ofHours(24);

  private final String factoryName;
  private final RedissonClient client;
  private final KeyNamespace keys;
  private final int partitions;
  private final Duration attemptTimeout;

  /**
   * Pushes and claims must be on the replicas before they count (a push before it is acknowledged,
   * a claim before the database applies it). A push whose {@code WAIT} fell short is in doubt and
   * sent again (its retry writes too, so it waits for the replication of everything before it); a
   * claim that fell short stays in flight, unapplied.
   */
  private final ReplicaWait replicaWait;

  private final String[] epochs;
  private volatile boolean epochsKnown;

  RedisDeltaStore(
      String factoryName,
      RedissonClient client,
      KeyNamespace keys,
      int partitions,
      Duration attemptTimeout,
      int waitReplicas) {
    this.factoryName = factoryName;
    this.client = client;
    this.keys = keys;
    this.partitions = partitions;
    this.attemptTimeout = attemptTimeout;
    this.replicaWait = new ReplicaWait(waitReplicas, attemptTimeout, BufferSettings.WAIT_REPLICAS);
    this.epochs = new String[partitions];
  }

  @Override
  public int partitions() {
    return partitions;
  }

  /**
   * Reads (or sets) every partition's epoch, in one round trip. At boot this is an optimisation:
   * when Redis is slow then, {@link #push} reads them before its first push instead.
   */
  void start() {
    try {
      // the pipelines' scripts, before the first pipeline: see LuaScript.loadEverywhere
      LuaScript.loadEverywhere(client, PIPELINED);
      readEpochs();
    } catch (RedisException e) {
      LOG.warnf(
          "SessionFactory '%s': cannot read the counter buffer's partition epochs from Redis at"
              + " boot (%s: %s); the first push reads them. Nothing to do if pushes succeed; else"
              + " check that Redis runs and is reachable from here (an outage is logged once)",
          factoryName, e.getClass().getSimpleName(), RedisOutage.firstLine(e));
    }
  }

  private synchronized void readEpochs() {
    if (epochsKnown) {
      return;
    }
    RBatch batch =
        client.createBatch(
            BatchOptions.defaults()
                .retryAttempts(0)
                .responseTimeout(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS));
    RScriptAsync script = batch.getScript(StringCodec.INSTANCE);
    List<RFuture<Object>> replies = new ArrayList<>(partitions);
    for (int partition = 0; partition < partitions; partition++) {
      replies.add(
          EPOCH.evalAsync(
              script,
              RScript.Mode.READ_WRITE,
              RScript.ReturnType.VALUE,
              List.of(epoch(partition)),
              UUID.randomUUID().toString()));
    }
    executeLoadingScripts(batch::execute);
    for (int partition = 0; partition < partitions; partition++) {
      epochs[partition] = String.valueOf(replies.get(partition).toCompletableFuture().join());
    }
    epochsKnown = true;
  }

  @Override
  public PushReply push(Push push) {
    if (!epochsKnown) {
      // a retried push must name the epoch it was first sent under: know them before any push
      try {
        readEpochs();
      } catch (RedisException e) {
        if (provesNothingSent(e)) {
          throw new StoreUnreachableException("Redis unreachable; nothing of the push was sent", e);
        }
        throw e;
      }
    }
    Map<Integer, List<Object>> argsByPartition = new TreeMap<>();
    for (Map.Entry<CounterKey, Long> delta : push.deltas().entrySet()) {
      int partition = delta.getKey().partition(partitions);
      List<Object> args =
          argsByPartition.computeIfAbsent(
              partition,
              p ->
                  new ArrayList<>(
                      List.of(
                          Long.toString(push.seq()),
                          Long.toString(NODE_MARKER_TTL.toMillis()),
                          push.retry() ? epochs[p] : "",
                          UUID.randomUUID().toString())));
      args.add(delta.getKey().encode());
      args.add(Long.toString(delta.getValue()));
    }
    if (argsByPartition.isEmpty()) {
      return PushReply.APPLIED;
    }
    // no retries inside Redisson: each attempt is ours to classify (never sent, or in doubt)
    RBatch batch =
        client.createBatch(
            replicaWait.apply(
                BatchOptions.defaults()
                    .retryAttempts(0)
                    .responseTimeout(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS)));
    RScriptAsync script = batch.getScript(StringCodec.INSTANCE);
    Map<Integer, RFuture<List<Object>>> replies = new TreeMap<>();
    argsByPartition.forEach(
        (partition, args) ->
            replies.put(
                partition,
                PUSH.evalAsync(
                    script,
                    RScript.Mode.READ_WRITE,
                    RScript.ReturnType.LIST,
                    List.of(
                        live(partition),
                        since(partition),
                        key(partition, "node", push.node()),
                        epoch(partition)),
                    args.toArray())));
    try {
      executeLoadingScripts(() -> replicaWait.execute(batch));
    } catch (RedisException e) {
      if (provesNothingSent(e)) {
        throw new StoreUnreachableException(
            "Redis unreachable; nothing of push " + push.node() + "/" + push.seq() + " was sent",
            e);
      }
      throw e;
    }
    int alreadyApplied = 0;
    Map<CounterKey, Long> lost = new HashMap<>();
    List<Integer> lostPartitions = new ArrayList<>();
    for (Map.Entry<Integer, RFuture<List<Object>>> reply : replies.entrySet()) {
      int partition = reply.getKey();
      List<Object> result = reply.getValue().toCompletableFuture().join();
      long outcome = number(result.get(0));
      String epoch = String.valueOf(result.get(1));
      if (outcome == 0) {
        alreadyApplied++;
      } else if (outcome < 0) {
        push.deltas()
            .forEach(
                (key, delta) -> {
                  if (key.partition(partitions) == partition) {
                    lost.put(key, delta);
                  }
                });
      }
      if (!epoch.isEmpty() && !epoch.equals(epochs[partition])) {
        epochs[partition] = epoch;
        lostPartitions.add(partition);
      }
    }
    if (!lostPartitions.isEmpty()) {
      LOG.errorf(
          "SessionFactory '%s': Redis lost the counter deltas of partitions %s (a new epoch in"
              + " %s): it restarted without persistence, or its keys were deleted or evicted; what"
              + " it held there and had not flushed is lost. Correct the affected counters by hand"
              + " if they must be exact, and run Redis with appendonly yes and maxmemory-policy"
              + " noeviction",
          factoryName, lostPartitions, epoch(lostPartitions.get(0)));
    }
    return new PushReply(alreadyApplied, lost);
  }

  /**
   * Whether {@code error} proves that no command of the batch reached Redis: a connection that
   * could not be opened, on a deployment where one server takes the whole batch. A connection that
   * broke after writing ({@link WriteRedisConnectionException}), a timeout, or any failure on a
   * cluster (where other masters may have applied their part) proves nothing.
   */
  boolean provesNothingSent(Throwable error) {
    if (client.getConfig().isClusterConfig()) {
      return false;
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof WriteRedisConnectionException) {
        return false;
      }
    }
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof RedisConnectionException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Optional<Claim> claim(int partition, int maxRows, long seqFloor) {
    RBatch batch = client.createBatch(replicaWait.apply(BatchOptions.defaults()));
    RFuture<List<Object>> reply =
        CLAIM.evalAsync(
            batch.getScript(StringCodec.INSTANCE),
            RScript.Mode.READ_WRITE,
            RScript.ReturnType.LIST,
            claimKeys(partition),
            Integer.toString(maxRows),
            Long.toString(seqFloor));
    executeLoadingScripts(() -> replicaWait.execute(batch));
    return toClaim(partition, reply.toCompletableFuture().join());
  }

  @Override
  public List<Optional<Claim>> claimAll(BitSet which, int maxRows, long[] seqFloors) {
    RBatch batch = client.createBatch(replicaWait.apply(BatchOptions.defaults()));
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
      executeLoadingScripts(() -> replicaWait.execute(batch));
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

  /**
   * Runs a batch of script calls. A server that does not know a script answers {@code NOSCRIPT},
   * which Redisson does not recover from inside a batch: a replica promoted by a failover has an
   * empty script cache (scripts are not replicated). Then every script is loaded on every master
   * and the failure goes on to the caller as any failed batch does (a push is resent under its
   * idempotency id, a claim stays in flight), whose retry finds them.
   */
  private void executeLoadingScripts(Runnable execute) {
    try {
      execute.run();
    } catch (RedisException e) {
      try {
        LuaScript.loadAfterNoScript(client, e, PIPELINED);
      } catch (RedisException loadFailed) {
        e.addSuppressed(loadFailed); // the batch's failure is what the caller must classify
      }
      throw e;
    }
  }

  @Override
  public void ackAll(List<Claim> claims) {
    if (claims.size() == 1) {
      ack(claims.get(0).partition(), claims.get(0).seq());
      return;
    }
    if (claims.isEmpty()) {
      return;
    }
    RBatch batch = client.createBatch(BatchOptions.defaults());
    RScriptAsync script = batch.getScript(StringCodec.INSTANCE);
    for (Claim claim : claims) {
      ACK.evalAsync(
          script,
          RScript.Mode.READ_WRITE,
          RScript.ReturnType.LONG,
          List.of(inflight(claim.partition())),
          Long.toString(claim.seq()));
    }
    executeLoadingScripts(batch::execute);
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
  public List<PartitionBacklog> backlog() {
    RBatch batch = client.createBatch(BatchOptions.defaults());
    RScriptAsync script = batch.getScript(StringCodec.INSTANCE);
    List<RFuture<List<Object>>> replies = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      replies.add(
          OLDEST.evalAsync(
              script,
              RScript.Mode.READ_ONLY,
              RScript.ReturnType.LIST,
              List.of(since(p), inflight(p), live(p))));
    }
    executeLoadingScripts(batch::execute);
    List<PartitionBacklog> backlog = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      List<Object> reply = replies.get(p).toCompletableFuture().join();
      long age = number(reply.get(0));
      backlog.add(
          new PartitionBacklog(
              p, number(reply.get(1)), number(reply.get(2)), Duration.ofMillis(Math.max(0, age))));
    }
    return backlog;
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

  private String epoch(int partition) {
    return key(partition, "epoch");
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
