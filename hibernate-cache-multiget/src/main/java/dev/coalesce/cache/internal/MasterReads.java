package dev.coalesce.cache.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redisson.Redisson;
import org.redisson.api.BatchOptions;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.client.protocol.RedisCommand;
import org.redisson.client.protocol.RedisCommands;
import org.redisson.command.CommandAsyncExecutor;
import org.redisson.command.CommandBatchService;
import org.redisson.config.NameMapper;

/**
 * {@code GET} and {@code MGET} on the keys' masters. A replica may still hold an item that a
 * writer's lock on the master has replaced, and Redisson reads from replicas by default ({@code
 * ReadMode.SLAVE}), so reads are sent as Redisson's write commands, which it routes to the key's
 * master whatever the read mode. This is the one place that uses Redisson's internals (its command
 * executor); a client that is not Redisson's gets plain bucket reads.
 *
 * <p>An {@code MGET}'s reply is kept as the ordered list Redis sends: Redisson's {@code RBuckets}
 * builds a map by streams on its I/O thread, a measurable part of a 100-id load. On Redis Cluster,
 * one {@code MGET} per hash slot (a command may not span slots), sent as one batch: one pipeline,
 * so one round trip, per master that holds some of the keys, all masters at once.
 *
 * <p>Failures are thrown as Redisson's exceptions; the caller decides what an outage means.
 */
final class MasterReads {

  private final RedissonClient client;

  /** Redisson's executor; null for a client that is not Redisson. */
  private final CommandAsyncExecutor commands;

  private final boolean cluster;

  MasterReads(RedissonClient client) {
    this.client = client;
    this.commands = client instanceof Redisson redisson ? redisson.getCommandExecutor() : null;
    this.cluster = client.getConfig().isClusterConfig();
  }

  byte[] get(String key) {
    return commands == null
        ? client.<byte[]>getBucket(key, ByteArrayCodec.INSTANCE).get()
        : onMaster(key, RedisCommands.GET);
  }

  /** The records of {@code keys} in their order, null where absent. */
  List<byte[]> getAll(List<String> keys) {
    if (keys.isEmpty()) {
      return List.of();
    }
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
      return records(mapped.length, commands.get(multiGet(mapped)));
    }
    Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
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
      List<byte[]> values = records(group.size(), commands.get(replies.get(g)));
      for (int i = 0; i < group.size(); i++) {
        records[group.get(i)] = values.get(i);
      }
    }
    return Arrays.asList(records);
  }

  /** A one-key read command, sent to the key's master (as Redisson sends writes). */
  private <T> T onMaster(String key, RedisCommand<?> command) {
    String mapped = commands.getServiceManager().getNameMapper().map(key);
    RFuture<T> reply = commands.writeAsync(mapped, ByteArrayCodec.INSTANCE, command, mapped);
    return commands.get(reply);
  }

  private RFuture<List<Object>> multiGet(String[] mapped) {
    return commands.writeAsync(
        mapped[0], ByteArrayCodec.INSTANCE, RedisCommands.MGET, (Object[]) mapped);
  }

  private static List<byte[]> records(int asked, List<Object> values) {
    if (values.size() != asked) {
      throw new IllegalStateException(
          "MGET of " + asked + " keys answered " + values.size() + " values");
    }
    List<byte[]> records = new ArrayList<>(values.size());
    for (Object value : values) {
      records.add((byte[]) value);
    }
    return records;
  }
}
