package dev.coalesce.cache.internal;

import static dev.coalesce.cache.internal.EntryScript.ascii;

import dev.coalesce.cache.internal.EntryStore.AddIfAbsent;
import dev.coalesce.cache.internal.EntryStore.PutFromLoad;
import dev.coalesce.cache.internal.EntryStore.Write;
import dev.coalesce.redis.internal.DaemonThreads;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * The write-backs of loads in Redis: packed into one {@code many} call of {@code entry.lua} per
 * region clear key, built and sent by a thread of their own so the loading thread does not wait
 * even for the sending, and tracked until answered so that this node's reads of those keys wait for
 * them ({@link RedisEntryStore} reads through {@link #awaitWritesOf}).
 */
final class WriteBacks {

  private static final Logger LOG = Logger.getLogger(WriteBacks.class);

  /**
   * Write-back calls waiting for the sender thread; beyond that the loading thread sends its own
   * (as before there was a sender), so loads that outrun the sender do not queue without limit.
   * Sending does not wait for Redis: what a stalled Redis has not answered waits in the client
   * until its timeout, as it did before.
   */
  static final int QUEUE = 256;

  private final RedissonClient client;
  private final RedisCalls calls;

  /** Write-backs queued or sent and not answered yet, by key. */
  private final Map<String, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();

  /**
   * Builds and sends the write-back calls. A loader does not need their answer, and building and
   * sending one took a fifth of a cold {@code findMultiple(100)} on its thread (the benchmark
   * module measures it). One thread: this node's write-backs leave in the order of their loads.
   */
  private final ThreadPoolExecutor sender;

  WriteBacks(RedissonClient client, RedisCalls calls) {
    this.client = client;
    this.calls = calls;
    this.sender =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            DaemonThreads.named("coalesce-cache-write-backs"),
            // full, or shut down: the loading thread sends it, as it did before the sender
            (task, executor) -> task.run());
    sender.allowCoreThreadTimeOut(true);
  }

  /**
   * The write-backs of a load: one {@code many} step of {@code entry.lua} per region clear key (per
   * region, and per hash tag on a cluster, so one hash slot each), all in one pipeline. One script
   * call for the whole load instead of one per entry: Redis runs the steps in one Lua call, and the
   * client encodes one command.
   */
  CompletableFuture<List<Boolean>> send(List<Write> writes, Consumer<List<Boolean>> onAnswer) {
    if (writes.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    Map<String, List<Integer>> byClearKey = new LinkedHashMap<>();
    for (int i = 0; i < writes.size(); i++) {
      byClearKey.computeIfAbsent(clearKeyOf(writes.get(i)), k -> new ArrayList<>()).add(i);
    }
    CompletableFuture<List<Boolean>> answer = new CompletableFuture<>();
    for (Write write : writes) {
      inFlight.put(write.key(), answer);
    }
    answer.whenComplete(
        (stored, failure) -> writes.forEach(write -> inFlight.remove(write.key(), answer)));
    sender.execute(
        () -> {
          CompletableFuture<List<Boolean>> sent;
          try {
            sent = sendNow(writes, byClearKey);
          } catch (RuntimeException e) {
            // nobody waits to be told: the loader has moved on (as in RedisCalls.callAsync)
            LOG.warnf(
                e,
                "SessionFactory '%s': Second-level cache: caching %d loaded entries failed; they"
                    + " stay uncached. Report this with the stack trace",
                calls.factory(),
                writes.size());
            sent = CompletableFuture.completedFuture(Collections.nCopies(writes.size(), false));
          }
          sent.thenApply(
                  stored -> {
                    onAnswer.accept(stored);
                    return stored;
                  })
              .whenComplete(
                  (stored, failure) -> {
                    if (failure != null) {
                      answer.completeExceptionally(failure);
                    } else {
                      answer.complete(stored);
                    }
                  });
        });
    return answer;
  }

  /**
   * Sends the calls of {@link #send} now, on the calling thread, without waiting for the answer.
   */
  private CompletableFuture<List<Boolean>> sendNow(
      List<Write> writes, Map<String, List<Integer>> byClearKey) {
    return calls.callAsync(
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
        Collections.nCopies(writes.size(), false));
  }

  /**
   * Waits for this node's write-backs of {@code keys} still in flight: a load's write-backs are not
   * waited for by the loader, and this node reads its own writes.
   */
  void awaitWritesOf(List<String> keys) {
    if (inFlight.isEmpty()) {
      return;
    }
    Set<CompletableFuture<?>> writes = new HashSet<>();
    for (String key : keys) {
      CompletableFuture<?> write = inFlight.get(key);
      if (write != null) {
        writes.add(write);
      }
    }
    await(writes, READ_WAIT);
  }

  /**
   * The longest a read waits for this node's write-backs of its keys (normally one round trip); a
   * write-back not answered by then (Redis stalled, the client shut down) is read as it stands: at
   * worst a miss.
   */
  static final Duration READ_WAIT = Duration.ofSeconds(1);

  /** The longest {@link #awaitAll} waits: a closing factory does not hang on Redis. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  /** Waits for {@code writes}, at most {@code atMost}; false if they were not all answered. */
  private static boolean await(Collection<CompletableFuture<?>> writes, Duration atMost) {
    if (writes.isEmpty()) {
      return true;
    }
    try {
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
          .get(atMost.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false; // read as it stands: at worst a miss
    } catch (ExecutionException e) {
      return true; // answered (never exceptionally in practice: see RedisCalls.callAsync)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
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
      boolean minimalPut = false;
      if (write instanceof PutFromLoad put) {
        kind = 'p';
        minimalPut = put.minimalPut();
      } else if (write instanceof AddIfAbsent) {
        kind = 'a';
      }
      steps.put((byte) kind);
      steps.put(ascii(Records.pad16(write.startedMicros())));
      steps.put(ascii(Records.pad16(Math.max(0, write.ttlMillis()))));
      steps.put(ascii(Records.pad16(write.maxAgeMicros())));
      steps.put((byte) (minimalPut ? '1' : '0'));
      steps.put(ascii(Records.pad16(record.length).substring(8)));
      steps.put(record);
    }
    return steps.array();
  }

  /**
   * Waits until every write-back queued or sent has its answer, or {@link #CLOSE_WAIT} has passed;
   * false if some had none by then.
   */
  boolean awaitAll() {
    return await(new HashSet<>(inFlight.values()), CLOSE_WAIT);
  }

  /** Lets the write-backs land ({@link #awaitAll}) and stops the sender thread. */
  void close() {
    if (!awaitAll()) {
      LOG.infof(
          "SessionFactory '%s': Second-level cache: closing without the answer to %d write-back"
              + " calls (Redis did not answer within %s); nothing is lost, they only fill the"
              + " cache",
          calls.factory(), inFlight.values().stream().distinct().count(), CLOSE_WAIT);
    }
    sender.shutdown();
  }
}
